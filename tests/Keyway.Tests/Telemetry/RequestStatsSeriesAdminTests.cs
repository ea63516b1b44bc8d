using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Telemetry;

/// <summary>GET /admin/llm/stats/series over the data set of <see cref="RequestStatsAdminTests"/>.</summary>
public sealed class RequestStatsSeriesAdminTests
{
    private const string Window = "since=2025-03-08T00:00:00Z&until=2025-03-10T00:00:00Z";

    [Fact]
    public async Task Series_ByHour_SplitsEachHourByAlias_AndTotalsEachKey()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await RequestLogAdminTests.InsertAsync(server, RequestStatsAdminTests.KnownDataSet());

        using var body = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats/series?" + Window);
        var root = body.RootElement;

        Assert.Equal("hour", root.GetProperty("bucket").GetString());
        Assert.Equal(
            [
                "2025-03-08T10:00:00Z a1 | 4 1 400 40 10 0 7 20 40 10 20",
                "2025-03-09T10:00:00Z a1 | 2 0 200 20 0 0 0 50 60 25 25",
                "2025-03-09T10:00:00Z a2 | 4 1 300 40 0 0 0 80 100 null null",
                "2025-03-09T23:00:00Z a1 | 1 0 10 20 0 0 0 1000 1000 1 1",
            ],
            RequestStatsAdminTests.Describe(root.GetProperty("series"), "time", "route_alias"));
        Assert.Equal(
            ["k1 | 10 2 900 100 10 0 7 50 100 15 25", "k2 | 1 0 10 20 0 0 0 1000 1000 1 1"],
            RequestStatsAdminTests.Describe(root.GetProperty("by_key"), "api_key_id"));
    }

    [Fact]
    public async Task Series_ByDay_ForOneGroup()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await RequestLogAdminTests.InsertAsync(server, RequestStatsAdminTests.KnownDataSet());

        using var body = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats/series?bucket=day&group_id=g1&" + Window);

        Assert.Equal("day", body.RootElement.GetProperty("bucket").GetString());
        Assert.Equal(
            ["2025-03-08T00:00:00Z a1 | 4 1 400 40 10 0 7 20 40 10 20", "2025-03-09T00:00:00Z a1 | 2 0 200 20 0 0 0 50 60 25 25", "2025-03-09T00:00:00Z a2 | 4 1 300 40 0 0 0 80 100 null null"],
            RequestStatsAdminTests.Describe(body.RootElement.GetProperty("series"), "time", "route_alias"));
        Assert.Equal(["k1"], body.RootElement.GetProperty("by_key").EnumerateArray().Select(k => k.GetProperty("api_key_id").GetString()));
    }

    [Fact]
    public async Task Series_DefaultsToTheLast24Hours()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var now = DateTimeOffset.UtcNow;
        await RequestLogAdminTests.InsertAsync(server, LogTestData.Entry(now.AddHours(-1)), LogTestData.Entry(now.AddHours(-30)));

        using var body = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats/series");

        var point = Assert.Single(body.RootElement.GetProperty("series").EnumerateArray());
        Assert.Equal(1, point.GetProperty("requests").GetInt64());
    }
}
