using System.Data.Common;
using System.Net.Http.Headers;
using Keyway.Configuration;
using Keyway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// The real Keyway server on 127.0.0.1:0 with its own data dir, started in-process.
/// <see cref="Admin"/> is an HttpClient that already carries the admin token. When KEYWAY_TEST_POSTGRES is set, the
/// server stores in a PostgreSQL schema of its own instead of the data dir's SQLite file (see <see cref="TestPostgres"/>).
/// </summary>
public sealed class KeywayServer : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";
    public const string Secret = "test-secret-0123456789-abcdefghij";

    private readonly WebApplication _app;

    private KeywayServer(WebApplication app, KeywayOptions options, Uri baseAddress)
    {
        _app = app;
        Options = options;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress };
        Admin = new HttpClient { BaseAddress = baseAddress };
        Admin.DefaultRequestHeaders.Add("X-Admin-Token", AdminToken);
    }

    public KeywayOptions Options { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public HttpClient Admin { get; }
    public IServiceProvider Services => _app.Services;

    /// <param name="replaceServices">Swaps services after Keyway registered its own (e.g. a FakeTimeProvider for TimeProvider).</param>
    public static async Task<KeywayServer> StartAsync(
        string dataDir, Func<KeywayOptions, KeywayOptions>? configure = null, Action<IServiceCollection>? replaceServices = null)
    {
        var options = new KeywayOptions
        {
            Secret = Secret,
            AdminToken = AdminToken,
            Host = "127.0.0.1",
            Port = 0,
            DataDir = dataDir,
            LogLevel = "warning",
            DatabaseUrl = TestPostgres.IsEnabled ? await TestPostgres.DatabaseUrlForAsync(dataDir) : null,
        };
        options = configure?.Invoke(options) ?? options;
        var app = KeywayApp.Build(options, replaceServices);
        await app.InitializeKeywayAsync(CancellationToken.None);
        await app.StartAsync();
        var address = StartupBanner.ListeningAddress(app) ?? throw new InvalidOperationException("Keyway did not report an address.");
        return new KeywayServer(app, options, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>A connection factory of its own to the server's database, usable after the server stopped.</summary>
    public IDbConnectionFactory OpenDatabase() => Options.DatabaseUrl is { } url
        ? new PostgresConnectionFactory(url)
        : new SqliteConnectionFactory(Options.DatabasePath);

    /// <summary>Runs <paramref name="use"/> on a connection of its own to the server's database (also after the server stopped).</summary>
    public async Task<T> WithDatabaseAsync<T>(Func<DbConnection, Task<T>> use)
    {
        var database = OpenDatabase();
        try
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            return await use(connection);
        }
        finally
        {
            if (database is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Gives an issued key an expiry that has passed, as time does: the admin API refuses to set one (a 400), so a test
    /// of what an expired key meets writes it to the database and tells the gateway, as an admin write would.
    /// </summary>
    public async Task PassExpiryAsync(string keyId)
    {
        await WithDatabaseAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE api_keys SET expires_at = @expiresAt WHERE key_id = @keyId";
            foreach (var (name, value) in new[] { ("expiresAt", "2020-01-01T00:00:00.0000000+00:00"), ("keyId", keyId) })
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
            return await command.ExecuteNonQueryAsync();
        });
        await Services.GetRequiredService<Keyway.Admin.ConfigurationChangeNotifier>().NotifyAsync();
    }

    /// <summary>An HttpClient that authenticates as a client of the data plane with an issued key.</summary>
    public HttpClient ClientWithKey(string issuedKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issuedKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
