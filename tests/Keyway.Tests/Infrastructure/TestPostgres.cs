using System.Security.Cryptography;
using System.Text;
using Dapper;
using Keyway.Storage;
using Npgsql;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// The test cluster tools/test.sh starts for the PostgreSQL run: KEYWAY_TEST_POSTGRES holds its admin connection string.
/// Each data dir gets its own schema, so a server restarted on the same data dir finds its rows again, and tests never
/// see each other's. Tests that stop PostgreSQL use a cluster of their own (<c>PausablePostgres</c>), never this one.
/// </summary>
public static class TestPostgres
{
    public static string? AdminConnectionString => Environment.GetEnvironmentVariable("KEYWAY_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    public static bool IsEnabled => AdminConnectionString is not null;

    /// <summary>
    /// A KEYWAY_DATABASE_URL (Npgsql form) whose search path is a schema of its own for <paramref name="dataDir"/>, on the
    /// shared test cluster or on the one <paramref name="adminConnectionString"/> names.
    /// </summary>
    public static async Task<string> DatabaseUrlForAsync(string dataDir, string? adminConnectionString = null)
    {
        var admin = adminConnectionString ?? AdminConnectionString ?? throw new InvalidOperationException("KEYWAY_TEST_POSTGRES is not set.");
        var schema = "kw_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDir)))[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {schema}");
        }
        var builder = PostgresConnectionString.Parse(admin);
        builder.SearchPath = schema;
        return builder.ConnectionString;
    }
}
