using System.Net;
using System.Text.Json;
using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Telemetry;

public sealed class RequestLogAdminTests
{
    [Fact]
    public async Task Logs_ReturnKeywayFieldsAndOurs_WithNullTokensAsNull()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await InsertAsync(server, LogTestData.Entry(LogTestData.Noon) with { InputTokens = null, TtfbMs = 7, Stream = true });

        using var body = await GetJsonAsync(server, "admin/llm/logs");

        Assert.True(body.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("next_cursor").ValueKind);
        var row = Assert.Single(body.RootElement.GetProperty("logs").EnumerateArray());
        string[] expectedFields =
        [
            "log_id", "group_id", "api_key_id", "route_alias", "provider_id", "upstream_model", "status_code", "request_tokens",
            "response_tokens", "latency_ms", "error", "created_at", "endpoint", "client_protocol", "upstream_protocol", "translated", "stream",
            "ttfb_ms", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "usage_estimated", "attempts",
            "user_agent", "attempt_log", "web_search_calls", "web_search_rounds", "web_search_round_ms", "web_search_queries", "tool_fallback", "visitor",
            "instance_id",
        ];
        Assert.Equal(expectedFields.Order(), row.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("request_tokens").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("input_tokens").ValueKind);
        Assert.Equal(20, row.GetProperty("response_tokens").GetInt64());
        Assert.Equal(20, row.GetProperty("output_tokens").GetInt64());
        Assert.Equal("2025-03-10T12:00:00.0000000+00:00", row.GetProperty("created_at").GetString());
        Assert.True(row.GetProperty("stream").GetBoolean());
        Assert.Equal(7, row.GetProperty("ttfb_ms").GetInt64());
    }

    [Fact]
    public async Task Logs_PageNewestFirst_WithACursor()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await InsertAsync(server, [.. Enumerable.Range(0, 5).Select(i => LogTestData.Entry(LogTestData.Noon.AddSeconds(i)))]);

        var seen = new List<long>();
        var cursors = new List<long?>();
        string? before = null;
        do
        {
            using var page = await GetJsonAsync(server, "admin/llm/logs?limit=2" + (before is null ? "" : $"&before={before}"));
            seen.AddRange(page.RootElement.GetProperty("logs").EnumerateArray().Select(r => r.GetProperty("log_id").GetInt64()));
            var cursor = page.RootElement.GetProperty("next_cursor");
            cursors.Add(cursor.ValueKind == JsonValueKind.Null ? null : cursor.GetInt64());
            before = cursors[^1]?.ToString();
        }
        while (before is not null);

        Assert.Equal(seen.OrderDescending(), seen);
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal([seen[1], seen[3], null], cursors);
    }

    [Fact]
    public async Task Logs_LastFullPage_HasNoCursor()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await InsertAsync(server, [LogTestData.Entry(LogTestData.Noon), LogTestData.Entry(LogTestData.Noon)]);

        using var page = await GetJsonAsync(server, "admin/llm/logs?limit=2");

        Assert.Equal(2, page.RootElement.GetProperty("logs").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, page.RootElement.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Logs_LimitAboveTheMaximum_IsCapped()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await InsertAsync(server, [.. Enumerable.Range(0, 501).Select(_ => LogTestData.Entry(LogTestData.Noon))]);

        using var page = await GetJsonAsync(server, "admin/llm/logs?limit=1000");

        Assert.Equal(500, page.RootElement.GetProperty("logs").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, page.RootElement.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("api_key_id=key-2", new[] { "b" })]
    [InlineData("group_id=g2", new[] { "c" })]
    [InlineData("alias=slow", new[] { "c" })]
    [InlineData("provider_id=prov-2", new[] { "b", "c" })]
    [InlineData("status=500", new[] { "b" })]
    [InlineData("status=ok", new[] { "a", "d" })]
    [InlineData("status=ERROR", new[] { "b", "c" })]
    [InlineData("since=2025-03-10T12:01:00Z", new[] { "b", "c", "d" })]
    [InlineData("until=2025-03-10T12:02:00Z", new[] { "a", "b", "c" })]
    [InlineData("since=1741608060000&until=1741608120000", new[] { "b", "c" })]
    [InlineData("since=2025-03-10T13:01:00%2B01:00&status=error&provider_id=prov-2", new[] { "b", "c" })]
    [InlineData("group_id=default&status=429", new string[0])]
    public async Task Logs_Filter(string query, string[] expectedErrors)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var start = LogTestData.Noon;
        await InsertAsync(server,
        [
            LogTestData.Entry(start) with { Error = "a" },
            LogTestData.Entry(start.AddMinutes(1), status: 500) with { ApiKeyId = "key-2", ProviderId = "prov-2", Error = "b" },
            LogTestData.Entry(start.AddMinutes(2), status: 429) with { GroupId = "g2", RouteAlias = "slow", ProviderId = "prov-2", Error = "c" },
            LogTestData.Entry(start.AddMinutes(3), status: 204) with { Error = "d" },
        ]);

        using var body = await GetJsonAsync(server, "admin/llm/logs?" + query);

        var errors = body.RootElement.GetProperty("logs").EnumerateArray().Select(r => r.GetProperty("error").GetString()).Order();
        Assert.Equal(expectedErrors, errors);
    }

    [Theory]
    [InlineData("status=abc", "status")]
    [InlineData("status=99", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("before=-3", "before")]
    [InlineData("since=yesterday", "since")]
    [InlineData("until=2025-13-01", "until")]
    [InlineData("since=2025-03-02T00:00:00Z&until=2025-03-01T00:00:00Z", "until")]
    public async Task Logs_InvalidFilter_Is400WithTheField(string query, string field)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        using var response = await server.Admin.GetAsync("admin/llm/logs?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, body.RootElement.GetProperty("field").GetString());
        Assert.Contains(field, body.RootElement.GetProperty("detail").GetString());
    }

    internal static Task InsertAsync(KeywayServer server, params RequestLogEntry[] entries) =>
        server.Services.GetRequiredService<RequestLogRepository>().InsertBatchAsync(entries, CancellationToken.None);

    internal static async Task<JsonDocument> GetJsonAsync(KeywayServer server, string path)
    {
        using var response = await server.Admin.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }
}
