using System.Text.Json;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Telemetry;

public sealed class RequestStatsAdminTests
{
    private const string Window = "since=2025-03-08T00:00:00Z&until=2025-03-10T00:00:00Z";

    private static readonly string[] Figures =
    [
        "requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
        "latency_p50_ms", "latency_p95_ms", "ttfb_p50_ms", "ttfb_p95_ms",
    ];

    [Fact]
    public async Task Stats_BreakDownAKnownDataSet()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await RequestLogAdminTests.InsertAsync(server, KnownDataSet());

        using var body = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?" + Window);
        var root = body.RootElement;

        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal(
            ["g1 | 10 2 900 100 10 0 7 50 100 15 25", "g2 | 1 0 10 20 0 0 0 1000 1000 1 1"],
            Describe(root.GetProperty("by_group"), "group_id"));
        Assert.Equal(
            ["g1 a1 | 6 1 600 60 10 0 7 30 60 15 25", "g1 a2 | 4 1 300 40 0 0 0 80 100 null null", "g2 a1 | 1 0 10 20 0 0 0 1000 1000 1 1"],
            Describe(root.GetProperty("by_alias"), "group_id", "route_alias"));
        Assert.Equal(
            ["p1 | 6 1 510 70 5 0 7 50 1000 5 25", "p2 | 5 1 400 50 5 0 0 60 100 10 20"],
            Describe(root.GetProperty("by_provider"), "provider_id"));
        Assert.Equal(
            ["2025-03-08 | 4 1 400 40 10 0 7 20 40 10 20", "2025-03-09 | 7 1 510 80 0 0 0 80 1000 1 25"],
            Describe(root.GetProperty("by_day"), "day"));
    }

    [Fact]
    public async Task Stats_ForAKey_KeepKeywayShape()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await RequestLogAdminTests.InsertAsync(server, KnownDataSet());

        using var windowed = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?api_key_id=k1&" + Window);
        using var allTime = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?api_key_id=k1");

        var stats = windowed.RootElement.GetProperty("stats");
        Assert.Equal(["total", "ok", "req_t", "resp_t", "avg_latency"], stats.EnumerateObject().Select(p => p.Name));
        Assert.Equal(10, stats.GetProperty("total").GetInt64());
        Assert.Equal(8, stats.GetProperty("ok").GetInt64());
        Assert.Equal(900, stats.GetProperty("req_t").GetInt64());
        Assert.Equal(100, stats.GetProperty("resp_t").GetInt64());
        Assert.Equal(55.0, stats.GetProperty("avg_latency").GetDouble());
        Assert.Equal(["g1"], windowed.RootElement.GetProperty("by_group").EnumerateArray().Select(b => b.GetProperty("group_id").GetString()));
        // Like Keyway, the key's totals cover every retained row when no time range is given.
        Assert.Equal(11, allTime.RootElement.GetProperty("stats").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Stats_Breakdowns_DefaultToTheLastSevenDays()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var now = DateTimeOffset.UtcNow;
        await RequestLogAdminTests.InsertAsync(server,
            LogTestData.Entry(now.AddDays(-1)) with { ApiKeyId = "k9" },
            LogTestData.Entry(now.AddDays(-8)) with { ApiKeyId = "k9" });

        using var body = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?api_key_id=k9");

        Assert.Equal(2, body.RootElement.GetProperty("stats").GetProperty("total").GetInt64());
        var group = Assert.Single(body.RootElement.GetProperty("by_group").EnumerateArray());
        Assert.Equal(1, group.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task Stats_WithNoRows_AreZeroAndEmpty()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        using var body = await RequestLogAdminTests.GetJsonAsync(server, "admin/llm/stats?api_key_id=nobody");

        Assert.Equal("""{"total":0,"ok":0,"req_t":0,"resp_t":0,"avg_latency":0}""", body.RootElement.GetProperty("stats").GetRawText());
        Assert.Equal(0, body.RootElement.GetProperty("by_day").GetArrayLength());
    }

    [Theory]
    [InlineData("admin/llm/stats?since=last-week", "since")]
    [InlineData("admin/llm/stats/series?bucket=minute", "bucket")]
    public async Task Stats_InvalidQuery_Is400_NamingTheField(string path, string field)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        using var response = await server.Admin.GetAsync(path);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, body.RootElement.GetProperty("field").GetString());
    }

    /// <summary>
    /// Group g1: ten requests, latency 10·i ms for i = 1..10, on 2025-03-08 (i ≤ 4) and 2025-03-09;
    /// alias a1 for i ≤ 6 else a2; provider p1 for odd i else p2; i = 3 → 500 and i = 8 → 429;
    /// TTFB 5·i for i ≤ 5. Group g2: one request of 1000 ms. Plus one g1 row outside the window.
    /// </summary>
    internal static RequestLogEntry[] KnownDataSet()
    {
        var g1 = Enumerable.Range(1, 10).Select(i => LogTestData.Entry(
            new DateTimeOffset(2025, 3, i <= 4 ? 8 : 9, 10, i, 0, TimeSpan.Zero), status: i switch { 3 => 500, 8 => 429, _ => 200 }, latencyMs: 10 * i) with
        {
            GroupId = "g1",
            ApiKeyId = "k1",
            RouteAlias = i <= 6 ? "a1" : "a2",
            ProviderId = i % 2 == 1 ? "p1" : "p2",
            InputTokens = i == 10 ? null : 100,
            OutputTokens = 10,
            CacheReadTokens = i <= 2 ? 5 : null,
            ReasoningTokens = i == 1 ? 7 : null,
            TtfbMs = i <= 5 ? 5 * i : null,
        });
        var g2 = LogTestData.Entry(new DateTimeOffset(2025, 3, 9, 23, 0, 0, TimeSpan.Zero), latencyMs: 1000) with
        {
            GroupId = "g2",
            ApiKeyId = "k2",
            RouteAlias = "a1",
            ProviderId = "p1",
            TtfbMs = 1,
        };
        var outside = LogTestData.Entry(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero)) with { GroupId = "g1", ApiKeyId = "k1" };
        return [.. g1, g2, outside];
    }

    internal static IEnumerable<string> Describe(JsonElement buckets, params string[] keys) =>
        buckets.EnumerateArray().Select(bucket =>
            string.Join(' ', keys.Select(k => bucket.GetProperty(k).GetString())) + " | " +
            string.Join(' ', Figures.Select(f => bucket.GetProperty(f) is { ValueKind: JsonValueKind.Null } ? "null" : bucket.GetProperty(f).GetRawText())));
}
