using System.Net;
using System.Text.Json;
using Dapper;
using Keyway.Admin;
using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// PostgreSQL stopped for a few seconds under two running instances, on a cluster of this class's own: the data plane
/// keeps serving, the request log catches up, the admin API and readiness say 503 meanwhile, and sharing resumes.
/// </summary>
public sealed class PostgresOutageTests(PausablePostgres cluster) : IClassFixture<PausablePostgres>
{
    /// <summary>Long enough for several request-log batches and sharing passes to fail while it is down.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    /// <summary>The writer's retry delay doubles from 0.5 s while refused: after a 3 s outage its next try comes within about 4 s.</summary>
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task StoppedMidTraffic_NoRequestFails_AndNoLogRowIsLost()
    {
        await using var two = await TwoInstances.StartAsync(cluster.AdminConnectionString);
        var key = await two.ConfigureAsync("traffic", "ready");
        var traffic = SteadyTraffic.Start(key, TwoInstances.Chat("traffic"), two.A, two.B);
        await traffic.WaitForAnswersAsync(20);

        await cluster.DuringOutageAsync(async () =>
        {
            var before = traffic.Answered;
            await Task.Delay(Outage);
            await traffic.WaitForAnswersAsync(before + 20);
        });
        await traffic.WaitForAnswersAsync(traffic.Answered + 20);
        var outcomes = await traffic.StopAsync();

        Assert.All(outcomes, outcome => Assert.Equal("200", outcome));
        await TwoInstances.EventuallyAsync(async () => await TrafficRowsAsync(two.A) == outcomes.Count, CatchUp, $"all {outcomes.Count} log rows being written");
        var statuses = new[] { two.A, two.B }.Select(server => server.Services.GetRequiredService<RequestLogStatus>()).ToList();
        Assert.True(statuses.Sum(status => status.InsertErrors) > 0, "no insert failed: the outage missed the request-log writers");
        Assert.All(statuses, status => Assert.Equal((0L, 0L), (status.Dropped, status.Failed)));
    }

    [PostgresFact]
    public async Task AdminApi_Answers503WhileDown_AndWritesAgainOnceBack()
    {
        await using var two = await TwoInstances.StartAsync(cluster.AdminConnectionString);
        await two.ConfigureAsync("m");

        await cluster.DuringOutageAsync(async () =>
        {
            var write = await AdminApi.PostAsync(two.A.Admin, "admin/llm/groups/default/routes", new { alias = "new", provider_id = "p", upstream_model = "x" });
            var read = await AdminApi.GetAsync(two.A.Admin, "admin/llm/groups/default/routes");

            AdminApi.AssertError(write, HttpStatusCode.ServiceUnavailable, AdminErrors.DatabaseUnavailable);
            AdminApi.AssertError(read, HttpStatusCode.ServiceUnavailable, AdminErrors.DatabaseUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(1), write.Response.Headers.RetryAfter?.Delta);
        });

        await AdminApi.CreateRouteAsync(two.A.Admin, "default", "new", "p", "x");
    }

    /// <summary>A restart ends every pooled session: none of them may fail a caller once the server is back.</summary>
    [PostgresFact]
    public async Task AfterAQuickRestart_NoAdminCallFails()
    {
        await using var two = await TwoInstances.StartAsync(cluster.AdminConnectionString);
        await two.ConfigureAsync("m");

        await cluster.DuringOutageAsync(() => Task.CompletedTask);

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => AdminApi.GetAsync(two.A.Admin, "admin/llm/groups/default/routes")));
        Assert.All(replies, reply => Assert.Equal(HttpStatusCode.OK, reply.Status));
    }

    [PostgresFact]
    public async Task Ready_Is503WhileDown_AndOkOnceBack()
    {
        await using var two = await TwoInstances.StartAsync(cluster.AdminConnectionString);

        await cluster.DuringOutageAsync(async () =>
        {
            var (status, report) = await ReadyAsync(two.A);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("unavailable", report.GetProperty("status").GetString());
            Assert.Contains(report.GetProperty("reasons").EnumerateArray(), reason => reason.GetString()!.StartsWith("the database is unreachable", StringComparison.Ordinal));
        });

        await TwoInstances.EventuallyAsync(async () => (await ReadyAsync(two.A)).Status == HttpStatusCode.OK, CatchUp, "A being ready again");
    }

    /// <summary>The configuration watcher and the key-state sync of B reconnect by themselves after PostgreSQL restarted.</summary>
    [PostgresFact]
    public async Task AfterARestart_ARouteAndACooldownFromA_ReachBWithinASecond()
    {
        await using var two = await TwoInstances.StartAsync(cluster.AdminConnectionString);
        var key = await two.ConfigureAsync("m");
        await cluster.DuringOutageAsync(() => Task.Delay(Outage));
        await TwoInstances.EventuallyAsync(async () => (await ReadyAsync(two.A)).Status == HttpStatusCode.OK, CatchUp, "A being ready again");

        await AdminApi.CreateRouteAsync(two.A.Admin, "default", "after", "p", "upstream-m");
        await TwoInstances.EventuallyAsync(() => TwoInstances.AnswersAsync(two.B, key, "after"), TwoInstances.Propagation, "the route created after the restart reaching B");
        two.Upstream.ReplyForKey("sk-a", FakeReply.OpenAIRateLimit(600));
        Assert.True(await TwoInstances.AnswersAsync(two.A, key, "m"));
        await TwoInstances.EventuallyAsync(() => TwoInstances.KeyAIsAsync(two.B, "cooling"), TwoInstances.Propagation, "A's cooldown after the restart reaching B");
    }

    /// <summary>A cooldown A records while PostgreSQL is down is stored once it is back, and B then skips the key.</summary>
    [PostgresFact]
    public async Task CooldownRecordedWhileDown_ReachesBOnceBack()
    {
        await using var two = await TwoInstances.StartAsync(cluster.AdminConnectionString);
        var key = await two.ConfigureAsync("m");
        two.Upstream.ReplyForKey("sk-a", FakeReply.OpenAIRateLimit(600));

        await cluster.DuringOutageAsync(async () => Assert.True(await TwoInstances.AnswersAsync(two.A, key, "m")));

        await TwoInstances.EventuallyAsync(() => TwoInstances.KeyAIsAsync(two.B, "cooling"), CatchUp, "A's cooldown from the outage reaching B");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Report)> ReadyAsync(KeywayServer server)
    {
        using var response = await server.Http.GetAsync("health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<long> TrafficRowsAsync(KeywayServer server)
    {
        await using var database = (PostgresConnectionFactory)server.OpenDatabase();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM request_logs WHERE route_alias = 'traffic'");
    }
}
