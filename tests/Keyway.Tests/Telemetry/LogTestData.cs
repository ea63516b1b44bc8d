using Dapper;
using Keyway.Storage;
using Keyway.Telemetry;

namespace Keyway.Tests.Telemetry;

/// <summary>Request-log entries and databases for the telemetry tests.</summary>
internal static class LogTestData
{
    public static readonly DateTimeOffset Noon = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static RequestLogEntry Entry(DateTimeOffset at, int status = 200, long latencyMs = 100) => new()
    {
        CreatedAt = at,
        GroupId = "default",
        ApiKeyId = "key-1",
        RouteAlias = "fast",
        ProviderId = "prov-1",
        UpstreamModel = "model-x",
        Endpoint = "/v1/chat/completions",
        ClientProtocol = "openai",
        UpstreamProtocol = "openai",
        StatusCode = status,
        LatencyMs = latencyMs,
        InputTokens = 10,
        OutputTokens = 20,
    };

    /// <summary>A migrated SQLite database in <paramref name="directory"/>.</summary>
    public static async Task<IDbConnectionFactory> MigratedDatabaseAsync(string directory)
    {
        var connections = new SqliteConnectionFactory(Path.Combine(directory, "keyway.db"));
        await new MigrationRunner(connections).ApplyAsync(CancellationToken.None);
        return connections;
    }

    public static async Task<long> CountRowsAsync(IDbConnectionFactory connections)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM request_logs");
    }

    /// <summary>An issued-key row (and its group) written directly, since the key repository lives elsewhere.</summary>
    public static async Task InsertIssuedKeyAsync(IDbConnectionFactory connections, string keyId)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        const string now = "2025-01-01T00:00:00.0000000+00:00";
        await connection.ExecuteAsync(
            "INSERT INTO groups (group_id, name, created_at, updated_at) VALUES ('g-keys', 'Keys', @now, @now) ON CONFLICT DO NOTHING; " +
            "INSERT INTO api_keys (key_id, group_id, key_hash, key_prefix, sealed_plaintext, created_at, updated_at) " +
            "VALUES (@keyId, 'g-keys', @keyId, 'db_sk_x', 'sealed', @now, @now)",
            new { keyId, now });
    }

    public static async Task<string?> LastUsedAtAsync(IDbConnectionFactory connections, string keyId)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<string?>("SELECT last_used_at FROM api_keys WHERE key_id = @keyId", new { keyId });
    }
}
