using System.Data.Common;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Telemetry;

/// <summary>
/// Rows the retention pass deletes still count in /admin/llm/stats and stats/series (through the daily roll-up), with
/// null percentiles. Runs on PostgreSQL too when KEYWAY_TEST_POSTGRES is set.
/// </summary>
public sealed class RequestLogRollupTests
{
    private const string Window = "since=2025-03-08T00:00:00Z&until=2025-03-10T00:00:00Z";
    private static readonly DateTimeOffset AfterTheDataSet = new(2025, 3, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Stats_CountPrunedRows_WithNullPercentiles()
    {
        using var dir = new TempDirectory();
        await using var server = await StartWithPrunedDataSetAsync(dir.Path);

        using var body = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?" + Window);
        using var forKey = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?api_key_id=k1&" + Window);
        using var forKeyAllTime = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?api_key_id=k1");
        var root = body.RootElement;

        Assert.Equal(
            ["g1 | 10 2 900 100 10 0 7 null null null null", "g2 | 1 0 10 20 0 0 0 null null null null"],
            RequestStatsAdminTests.Describe(root.GetProperty("by_group"), "group_id"));
        Assert.Equal(
            ["g1 a1 | 6 1 600 60 10 0 7 null null null null", "g1 a2 | 4 1 300 40 0 0 0 null null null null", "g2 a1 | 1 0 10 20 0 0 0 null null null null"],
            RequestStatsAdminTests.Describe(root.GetProperty("by_alias"), "group_id", "route_alias"));
        Assert.Equal(
            ["p1 | 6 1 510 70 5 0 7 null null null null", "p2 | 5 1 400 50 5 0 0 null null null null"],
            RequestStatsAdminTests.Describe(root.GetProperty("by_provider"), "provider_id"));
        Assert.Equal(
            ["2025-03-08 | 4 1 400 40 10 0 7 null null null null", "2025-03-09 | 7 1 510 80 0 0 0 null null null null"],
            RequestStatsAdminTests.Describe(root.GetProperty("by_day"), "day"));
        Assert.Equal(
            ["k1 | 10 2 900 100 10 0 7 null null null null", "k2 | 1 0 10 20 0 0 0 null null null null"],
            RequestStatsAdminTests.Describe(root.GetProperty("by_key"), "api_key_id"));
        var visitor = Assert.Single(root.GetProperty("by_visitor").EnumerateArray());
        Assert.Equal(11, visitor.GetProperty("requests").GetInt64());
        Assert.Equal(
            """{"total":10,"ok":8,"req_t":900,"resp_t":100,"avg_latency":55}""",
            forKey.RootElement.GetProperty("stats").GetRawText());
        Assert.Equal(11, forKeyAllTime.RootElement.GetProperty("stats").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Series_ByDay_CountsPrunedRows_ByHour_OnlyRawRows()
    {
        using var dir = new TempDirectory();
        await using var server = await StartWithPrunedDataSetAsync(dir.Path);

        using var byDay = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats/series?bucket=day&group_id=g1&" + Window);
        using var byHour = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats/series?" + Window);

        Assert.Equal(
            [
                "2025-03-08T00:00:00Z a1 | 4 1 400 40 10 0 7 null null null null",
                "2025-03-09T00:00:00Z a1 | 2 0 200 20 0 0 0 null null null null",
                "2025-03-09T00:00:00Z a2 | 4 1 300 40 0 0 0 null null null null",
            ],
            RequestStatsAdminTests.Describe(byDay.RootElement.GetProperty("series"), "time", "route_alias"));
        Assert.Equal(["k1 | 10 2 900 100 10 0 7 null null null null"], RequestStatsAdminTests.Describe(byDay.RootElement.GetProperty("by_key"), "api_key_id"));
        Assert.Equal(0, byHour.RootElement.GetProperty("series").GetArrayLength());
    }

    [Fact]
    public async Task Prune_InterruptedBetweenBatches_CountsEachRowOnce()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await RequestLogAdminTests.InsertAsync(server, RequestStatsAdminTests.KnownDataSet());
        var interrupted = new RequestLogRepository(new ConnectionsFailingAtOpen(server.OpenDatabase(), failingOpen: 3));

        await Assert.ThrowsAsync<OperationCanceledException>(
            () => interrupted.PruneOlderThanAsync(AfterTheDataSet, batchSize: 3, CancellationToken.None));
        Assert.Equal(12 - 6, await LogTestData.CountRowsAsync(server.OpenDatabase()));
        await new RequestLogRepository(server.OpenDatabase()).PruneOlderThanAsync(AfterTheDataSet, batchSize: 3, CancellationToken.None);

        using var body = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?" + Window);
        Assert.Equal(
            ["2025-03-08 | 4 1 400 40 10 0 7 null null null null", "2025-03-09 | 7 1 510 80 0 0 0 null null null null"],
            RequestStatsAdminTests.Describe(body.RootElement.GetProperty("by_day"), "day"));
        Assert.Equal(0, await LogTestData.CountRowsAsync(server.OpenDatabase()));
    }

    /// <summary>The known data set, then a retention pass in batches of three (so each day spans several batches).</summary>
    private static async Task<KeywayServer> StartWithPrunedDataSetAsync(string dataDir)
    {
        var server = await KeywayServer.StartAsync(dataDir);
        await RequestLogAdminTests.InsertAsync(server, RequestStatsAdminTests.KnownDataSet());
        var deleted = await server.Services.GetRequiredService<RequestLogRepository>()
            .PruneOlderThanAsync(AfterTheDataSet, batchSize: 3, CancellationToken.None);
        Assert.Equal(12, deleted);
        return server;
    }

    /// <summary>Opens connections as <paramref name="inner"/> does, except the <paramref name="failingOpen"/>-th, which is canceled.</summary>
    private sealed class ConnectionsFailingAtOpen(IDbConnectionFactory inner, int failingOpen) : IDbConnectionFactory
    {
        private int _opens;

        public string Dialect => inner.Dialect;

        public string CannotOpen(DbException failure) => inner.CannotOpen(failure);

        public string? FreeSpace() => inner.FreeSpace();

        public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _opens) == failingOpen
                ? throw new OperationCanceledException("The retention pass stopped between two batches.")
                : inner.OpenAsync(cancellationToken);
    }
}
