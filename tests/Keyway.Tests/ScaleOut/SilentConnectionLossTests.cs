using System.Net;
using System.Text.Json;
using Dapper;
using Keyway.Admin;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// PostgreSQL connections lost without a FIN or RST (a failover, a NAT dropping its state), through a
/// <see cref="SilentProxy"/>: no background exchange waits on a dead connection for ever, readiness says when the
/// configuration cannot be refreshed, and the admin API answers 503 instead of hanging.
/// </summary>
public sealed class SilentConnectionLossTests
{
    /// <summary>Generous: a stuck exchange is abandoned after 10 s, and Npgsql's cancellation of it takes a few more.</summary>
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(60);

    [PostgresFact]
    public async Task AfterASilentLoss_ARouteAndACooldownMadeOnB_StillReachA()
    {
        await using var proxy = SilentProxy.For(TestPostgres.AdminConnectionString!);
        await using var two = await TwoInstances.StartAsync(routeA: proxy.Route);
        var key = await two.ConfigureAsync("m");

        proxy.SilenceOpenConnections();
        await AdminApi.CreateRouteAsync(two.B.Admin, "default", "after", "p", "upstream-m");
        two.Upstream.ReplyForKey("sk-a", FakeReply.OpenAIRateLimit(600));
        Assert.True(await TwoInstances.AnswersAsync(two.B, key, "m"));
        two.Upstream.Reset();

        await TwoInstances.EventuallyAsync(() => TwoInstances.AnswersAsync(two.A, key, "after"), Recovery, "B's new route reaching A");
        await TwoInstances.EventuallyAsync(
            async () => await TwoInstances.AnswersAsync(two.A, key, "m") && two.Upstream.Requests[^1].UpstreamKey == "sk-b",
            Recovery, "B's cooldown of key a reaching A");
    }

    [PostgresFact]
    public async Task WhileTheDatabaseAnswersNothing_ReadyNamesTheConfigurationItCannotRefresh()
    {
        using var dir = new TempDirectory();
        await using var proxy = SilentProxy.For(TestPostgres.AdminConnectionString!);
        await using var server = await StartThroughAsync(proxy, dir, TimeSpan.FromSeconds(1));

        proxy.SilenceEverything();
        await TwoInstances.EventuallyAsync(async () =>
        {
            var (status, report) = await ReadyAsync(server);
            return status == HttpStatusCode.ServiceUnavailable && report.GetProperty("reasons").EnumerateArray().Any(reason =>
                reason.GetString()!.StartsWith("the shared configuration could not be refreshed for ", StringComparison.Ordinal));
        }, Recovery, "readiness naming the stale configuration");
        proxy.AcceptAgain();
    }

    [PostgresFact]
    public async Task WhileTheDatabaseAnswersNothing_AnAdminReadAnswers503()
    {
        using var dir = new TempDirectory();
        await using var proxy = SilentProxy.For(TestPostgres.AdminConnectionString!);
        await using var server = await StartThroughAsync(proxy, dir, staleAfter: null);
        await AdminApi.CreateGroupAsync(server.Admin, "g");

        proxy.SilenceEverything();
        // A bound for the test only, well past the 503's few seconds: without one, the call waited 40-60 s or for ever.
        using var admin = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("X-Admin-Token", KeywayServer.AdminToken);
        var reply = await AdminApi.GetAsync(admin, "admin/llm/groups");
        proxy.AcceptAgain();

        AdminApi.AssertError(reply, HttpStatusCode.ServiceUnavailable, AdminErrors.DatabaseUnavailable);
    }

    /// <summary>
    /// A request-log batch whose commit is cut off from its answer (the connection lost just after the server committed)
    /// is abandoned and retried on a new connection, without writing its rows twice.
    /// </summary>
    [PostgresFact]
    public async Task ALogBatchWhoseCommitLostItsAnswer_IsRetriedWithoutWritingItsRowsTwice()
    {
        using var dir = new TempDirectory();
        await using var proxy = SilentProxy.For(TestPostgres.AdminConnectionString!);
        await using var server = await StartThroughAsync(proxy, dir, staleAfter: null);
        var status = server.Services.GetRequiredService<RequestLogStatus>();

        proxy.SilenceTheNextCommittedCopy();
        var queue = server.Services.GetRequiredService<RequestLogQueue>();
        for (var i = 0; i < 3; i++)
        {
            queue.Enqueue(LogTestData.Entry(DateTimeOffset.UtcNow));
        }
        await TwoInstances.EventuallyAsync(() => Task.FromResult(status.Written >= 3), Recovery, "the batch's retry");

        Assert.Equal(3, await server.WithDatabaseAsync(connection => connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM request_logs")));
    }

    private static async Task<KeywayServer> StartThroughAsync(SilentProxy proxy, TempDirectory dir, TimeSpan? staleAfter)
    {
        var url = proxy.Route(await TestPostgres.DatabaseUrlForAsync(dir.Path));
        return await KeywayServer.StartAsync(dir.Path, options => options with
        {
            DatabaseUrl = url,
            ConfigurationStaleAfter = staleAfter ?? options.ConfigurationStaleAfter,
        });
    }

    private static async Task<(HttpStatusCode Status, JsonElement Report)> ReadyAsync(KeywayServer server)
    {
        using var response = await server.Http.GetAsync("health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
