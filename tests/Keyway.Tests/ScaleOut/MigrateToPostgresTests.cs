using System.Net;
using System.Text.Json;
using Dapper;
using Keyway.Storage;
using Keyway.Tests.Cli;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.ScaleOut;

public sealed class MigrateToPostgresTests
{
    private static readonly DateTimeOffset LongAgo = new(2024, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private const string ResponsesTurn = """{"model":"m","input":"hi"}""";

    private const string Chat = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";

    [PostgresFact]
    public async Task SqliteInstallation_CopiedTwice_ServesItsKeysOnPostgres_WithNothingDuplicated()
    {
        using var dir = new TempDirectory();
        await using var upstream = await FakeUpstream.StartAsync();
        string key;
        string responseId;
        await using (var sqlite = await KeywayServer.StartAsync(dir.Path, options => options with { DatabaseUrl = null }))
        {
            await AdminApi.CreateProviderAsync(sqlite.Admin, "default", "p", new Uri(upstream.BaseAddress, "v1").ToString(), "openai");
            await AdminApi.CreateRouteAsync(sqlite.Admin, "default", "m", "p", "upstream-m");
            key = await AdminApi.CreateKeyAsync(sqlite.Admin, "default");
            Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(sqlite, key));
            responseId = await StoredResponseIdAsync(sqlite, key);
            await RequestLogAdminTests.InsertAsync(sqlite, LogTestData.Entry(LongAgo));
            await sqlite.Services.GetRequiredService<RequestLogRepository>().PruneOlderThanAsync(LongAgo.AddDays(1), 10, CancellationToken.None);
        }
        var target = await TestPostgres.DatabaseUrlForAsync(Path.Combine(dir.Path, "postgres"));
        var cli = new CliRunner(null, dir.Path);
        string[] migrate = ["db", "migrate-to-postgres", "--from", Path.Combine(dir.Path, "keyway.db"), "--to", target];

        var first = Copied(await cli.JsonAsync(migrate));
        var second = Copied(await cli.JsonAsync(migrate));

        Assert.Equal(1, first["providers"]);
        Assert.Equal(1, first["routes"]);
        Assert.Equal(1, first["api_keys"]);
        Assert.Equal(2, first["request_logs"]); // the chat and the Responses call
        Assert.Equal(1, first["request_log_days"]);
        Assert.Equal(1, first["stored_responses"]);
        Assert.All(second.Values, copied => Assert.Equal(0, copied));
        using var pgDir = new TempDirectory();
        await using var postgres = await KeywayServer.StartAsync(pgDir.Path, options => options with { DatabaseUrl = target });
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(postgres, key));
        var logs = (await AdminApi.OkAsync(postgres.Admin, HttpMethod.Get, "admin/llm/logs?limit=10")).GetProperty("logs");
        Assert.True(logs.GetArrayLength() >= 1, "the copied log row is listed");
        using var client = postgres.ClientWithKey(key);
        using var stored = await client.GetAsync($"v1/responses/{responseId}");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
    }

    [PostgresFact]
    public async Task AdminSessions_Move_AndTheProcessOwnTablesAreReportedSkipped()
    {
        using var dir = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        await using (var sqlite = await KeywayServer.StartAsync(dir.Path, options => options with { DatabaseUrl = null }))
        {
            await sqlite.Services.GetRequiredService<AdminSessionRepository>().CreateAsync("session-hash", now, now.AddHours(1), CancellationToken.None);
            await sqlite.WithDatabaseAsync(connection => connection.ExecuteAsync(
                "INSERT INTO key_rate_windows (key_id, instance_id, window_start, requests, tokens, in_flight, updated_at) VALUES ('k', 'i', 'w', 1, 2, 0, 'u')"));
        }
        var target = await TestPostgres.DatabaseUrlForAsync(Path.Combine(dir.Path, "postgres"));

        var report = await new CliRunner(null, dir.Path).JsonAsync(["db", "migrate-to-postgres", "--from", Path.Combine(dir.Path, "keyway.db"), "--to", target]);

        Assert.Equal(1, Copied(report)["admin_sessions"]);
        var skipped = report.GetProperty("skipped").EnumerateArray().ToDictionary(t => t.GetProperty("table").GetString()!, t => t.GetProperty("rows").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["key_rate_windows"] = 1, ["key_probe_claims"] = 0, ["request_log_writers"] = 0 }, skipped);
        Assert.All(report.GetProperty("skipped").EnumerateArray(), t => Assert.NotEmpty(t.GetProperty("reason").GetString()!));
        await using var postgres = new PostgresConnectionFactory(target);
        Assert.True(await new AdminSessionRepository(postgres).IsActiveAsync("session-hash", now, CancellationToken.None));
    }

    private static Dictionary<string, long> Copied(JsonElement report) =>
        report.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("table").GetString()!, t => t.GetProperty("copied").GetInt64());

    /// <summary>A Responses turn the translated route stores, sealed: the copy is read with the same KEYWAY_SECRET.</summary>
    private static async Task<string> StoredResponseIdAsync(KeywayServer server, string key)
    {
        using var client = server.ClientWithKey(key);
        using var response = await client.PostAsync("v1/responses", GatewayTestBed.Json(ResponsesTurn));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<HttpStatusCode> ChatStatusAsync(KeywayServer server, string key)
    {
        using var client = server.ClientWithKey(key);
        using var response = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json(Chat));
        return response.StatusCode;
    }
}
