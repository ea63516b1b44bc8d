using System.Net;
using System.Text.Json.Nodes;
using Keyway.Gateway;
using Keyway.Telemetry;
using Keyway.Telemetry.Metrics;
using Keyway.Tests.Hardening;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Operations;

/// <summary>/metrics after real requests through the gateway: the series exist and hold what the request log says.</summary>
public sealed class MetricsTests
{
    private const string Chat = """{"model":"gpt-alias","messages":[{"role":"user","content":"Hi"}]}""";
    private const string Message = """{"model":"claude-alias","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}""";

    [Fact]
    public async Task Scrape_AfterRequests_CountsRequestsTokensAttemptsLatenciesAndKeyHealth()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await bed.PostAsync("v1/chat/completions", Chat)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bed.PostAsync("v1/chat/completions", Chat.Replace("}]}", "}],\"stream\":true}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bed.PostAsync("v1/messages", Message, ("anthropic-version", "2023-06-01"))).StatusCode);
        bed.Upstream.Enqueue(FakeReply.OpenAIRateLimit(600));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await bed.PostAsync("v1/chat/completions", Chat)).StatusCode);
        var logs = await bed.WaitForLogsAsync(4);
        // The writer counts a batch once its commit has returned: the rows are readable a moment before
        // keyway_log_written_total says so (a scrape in between read 0 in CI).
        var logStatus = bed.Server.Services.GetRequiredService<RequestLogStatus>();
        await RequestLogOutageTests.WaitUntilAsync(() => logStatus.Written >= 4);

        var scrape = await PrometheusScrape.GetAsync(bed.Admin);

        Assert.Equal(2, scrape["""keyway_requests_total{alias="gpt-alias",provider="fake-openai",status="200"}"""]);
        Assert.Equal(1, scrape["""keyway_requests_total{alias="gpt-alias",provider="fake-openai",status="429"}"""]);
        Assert.Equal(1, scrape["""keyway_requests_total{alias="claude-alias",provider="fake-anthropic",status="200"}"""]);
        foreach (var (kind, column) in new[] { ("input", "input_tokens"), ("output", "output_tokens"), ("cache_read", "cache_read_tokens") })
        {
            foreach (var (alias, provider) in new[] { ("gpt-alias", "fake-openai"), ("claude-alias", "fake-anthropic") })
            {
                var logged = logs.Where(row => row.GetProperty("route_alias").GetString() == alias)
                    .Sum(row => row.GetProperty(column).ValueKind == System.Text.Json.JsonValueKind.Number ? row.GetProperty(column).GetInt64() : 0);
                Assert.True(logged > 0, $"{alias} logged no {column}");
                Assert.Equal(logged, scrape[$$"""keyway_tokens_total{alias="{{alias}}",provider="{{provider}}",kind="{{kind}}"}"""]);
            }
        }
        Assert.Equal(2, scrape["""keyway_upstream_attempts_total{provider="fake-openai",status="200"}"""]);
        Assert.Equal(1, scrape["""keyway_upstream_attempts_total{provider="fake-openai",status="429"}"""]);
        AssertHistogramCount(scrape, "keyway_upstream_ttfb_seconds", "provider=\"fake-openai\"", 3);
        AssertHistogramCount(scrape, "keyway_upstream_duration_seconds", "provider=\"fake-openai\"", 3);
        AssertHistogramCount(scrape, "keyway_upstream_duration_seconds", "provider=\"fake-anthropic\"", 1);
        AssertHistogramCount(scrape, "keyway_gateway_added_seconds", "", 4);
        Assert.Equal(1, scrape["""keyway_upstream_keys{provider="fake-openai",state="cooling"}"""]);
        Assert.Equal(0, scrape["""keyway_upstream_keys{provider="fake-openai",state="quarantined"}"""]);
        Assert.Equal(0, scrape["""keyway_upstream_keys{provider="fake-anthropic",state="cooling"}"""]);
        Assert.Equal(0, scrape["keyway_log_dropped_total"]);
        Assert.Equal(4, scrape["keyway_log_written_total"]);
        Assert.True(scrape["keyway_log_queue_depth"] >= 0);
        var version = bed.Server.Services.GetRequiredService<RoutingTableHolder>().Version;
        Assert.True(version > 1, "every admin write rebuilds the snapshot");
        Assert.Equal(version, scrape["keyway_snapshot_version"]);
    }

    /// <summary>
    /// provider names the upstream provider that answered: a request refused before any upstream was chosen has none,
    /// whether an unknown model or the issued key's own rpm refused it.
    /// </summary>
    [Fact]
    public async Task RequestsRefusedBeforeAnyUpstream_HaveAnEmptyProviderLabel()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["rpm"] = 1 });
        Assert.Equal(404, await KeyPolicyBed.ChatStatusAsync(key.Client, model: "no-such-alias"));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(key.Client));
        await bed.WaitForRequestsAsync(3);

        var scrape = await PrometheusScrape.GetAsync(bed.Admin);

        Assert.Equal(1, scrape["""keyway_requests_total{alias="",provider="",status="404"}"""]);
        Assert.Equal(1, scrape["""keyway_requests_total{alias="gpt-alias",provider="fake-openai",status="200"}"""]);
        Assert.Equal(1, scrape["""keyway_requests_total{alias="gpt-alias",provider="",status="429"}"""]);
        Assert.False(scrape.Has("""keyway_requests_total{alias="gpt-alias",provider="fake-openai",status="429"}"""));
    }

    /// <summary>A caller guessing keys leaves a trace: 401 with no alias (its body is not read) and no provider.</summary>
    [Fact]
    public async Task RequestsWithAWrongOrMissingKey_AreCountedAs401_WithoutAliasOrProvider()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await bed.PostWithAuthAsync("v1/chat/completions", Chat, new("Bearer", "db_sk_wrong"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bed.PostWithAuthAsync("v1/messages", Message, null, ("anthropic-version", "2023-06-01"))).StatusCode);

        var scrape = await PrometheusScrape.GetAsync(bed.Admin);

        Assert.Equal(2, scrape["""keyway_requests_total{alias="",provider="",status="401"}"""]);
    }

    /// <summary>
    /// Every door that authenticates an issued key counts its refusal the same way, not only the forwarded calls: the
    /// model list, the stored responses and the Responses WebSocket's handshake.
    /// </summary>
    [Theory]
    [InlineData("GET", "v1/models")]
    [InlineData("GET", "v1/models/gpt-alias")]
    [InlineData("GET", "v1/responses/resp_unknown")]
    [InlineData("DELETE", "v1/responses/resp_unknown")]
    [InlineData("GET", "v1/responses/resp_unknown/input_items")]
    [InlineData("WebSocket", "v1/responses")]
    public async Task RefusedKey_OnEveryKeyAuthenticatedEndpoint_IsCountedAs401(string method, string path)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        if (method == "WebSocket")
        {
            var (status, _) = await ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Server, GatewayTestBed.OpenAIAlias, "db_sk_wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, status);
        }
        else
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Headers = { { "Authorization", "Bearer db_sk_wrong" } } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await bed.Server.Http.SendAsync(request)).StatusCode);
        }

        var scrape = await PrometheusScrape.GetAsync(bed.Admin);

        Assert.Equal(1, scrape["""keyway_requests_total{alias="",provider="",status="401"}"""]);
    }

    [Fact]
    public async Task Scrape_OnTheMainPort_NeedsTheAdminTokenOrSession()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await bed.Server.Http.GetAsync("metrics")).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { { "X-Admin-Token", "wrong" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await bed.Server.Http.SendAsync(wrong)).StatusCode);
        Assert.Contains("# TYPE keyway_requests_total counter", (await PrometheusScrape.GetAsync(bed.Admin)).Text);
    }

    [Fact]
    public async Task MetricsPort_ServesOnlyMetrics_WithoutAuth_AndTheMainPortNoLonger()
    {
        var port = LoopbackPort.Free();
        await using var bed = await GatewayTestBed.StartAsync(options => options with { MetricsPort = port });
        Assert.Equal(HttpStatusCode.OK, (await bed.PostAsync("v1/chat/completions", Chat)).StatusCode);
        await bed.WaitForLogsAsync(1);
        using var metricsPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var scrape = await PrometheusScrape.GetAsync(metricsPort);

        Assert.Equal(1, scrape["""keyway_requests_total{alias="gpt-alias",provider="fake-openai",status="200"}"""]);
        Assert.Equal(HttpStatusCode.NotFound, (await bed.Admin.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await metricsPort.GetAsync("health")).StatusCode);
        using var admin = new HttpRequestMessage(HttpMethod.Get, "admin/llm/groups") { Headers = { { "X-Admin-Token", KeywayServer.AdminToken } } };
        Assert.Equal(HttpStatusCode.NotFound, (await metricsPort.SendAsync(admin)).StatusCode);
    }

    [Fact]
    public void Recording_AllocatesNothing_OnceTheSeriesExist()
    {
        var metrics = TestMetrics.Create();
        using var collector = new MetricsCollector(metrics);
        var entry = new RequestLogEntry
        {
            CreatedAt = DateTimeOffset.UnixEpoch,
            GroupId = "g",
            RouteAlias = "alias",
            ProviderId = "provider",
            Endpoint = "/v1/chat/completions",
            ClientProtocol = "openai",
            StatusCode = 200,
            LatencyMs = 5,
            InputTokens = 10,
            OutputTokens = 3,
            ReasoningTokens = 1,
        };
        void RecordOne()
        {
            metrics.RecordRequest(entry);
            metrics.RecordAttemptAnswered("provider", 200, TimeSpan.FromMilliseconds(3));
            metrics.RecordAttemptDuration("provider", TimeSpan.FromMilliseconds(4));
            metrics.RecordGatewayOverhead(TimeSpan.FromMilliseconds(1));
        }
        RecordOne();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            RecordOne();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The smallest object is 24 bytes: anything allocated per request would show as 240 KB or more. What may show is
        // the runtime's own one-off allocations (tiered JIT and on-stack replacement promoting methods mid-loop: 7.7 KB
        // seen in CI), so the bound sits well between the two.
        Assert.True(allocated < 32 * 1024, $"{allocated} bytes allocated by 10,000 recordings");
        var scrape = PrometheusScrape.Parse(collector.Scrape());
        Assert.Equal(10_001, scrape["""keyway_requests_total{alias="alias",provider="provider",status="200"}"""]);
        Assert.Equal(100_010, scrape["""keyway_tokens_total{alias="alias",provider="provider",kind="input"}"""]);
        Assert.Equal(10_001, scrape["""keyway_upstream_ttfb_seconds_bucket{provider="provider",le="0.005"}"""]);
        Assert.Equal(10_001, scrape["""keyway_gateway_added_seconds_bucket{le="0.001"}"""]);
        Assert.Equal(0, scrape["""keyway_gateway_added_seconds_bucket{le="0.0005"}"""]);
        Assert.Equal(10_001 * 0.003, scrape["""keyway_upstream_ttfb_seconds_sum{provider="provider"}"""], 6);
    }

    /// <summary>
    /// Recent series are recognised by their strings' identity: series that differ in any tag, equal strings that are
    /// other instances, and fewer or more tag combinations taking turns than are remembered all count in their own series.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    public void Recording_AliasesTakingTurns_WithEqualStringsOfOtherInstances_CountsEachInItsSeries(int aliasCount)
    {
        var metrics = TestMetrics.Create();
        using var collector = new MetricsCollector(metrics);
        var aliases = Enumerable.Range(1, aliasCount).Select(i => "a" + i).ToArray();

        for (var round = 0; round < 50; round++)
        {
            foreach (var alias in aliases)
            {
                var status = round % 2 == 0 ? 200 : 429;
                // A fresh instance every time for every other round: equal to the series' strings, never the same.
                var name = round % 4 < 2 ? alias : new string(alias.AsSpan());
                metrics.RecordRequest(new RequestLogEntry
                {
                    CreatedAt = DateTimeOffset.UnixEpoch,
                    GroupId = "g",
                    RouteAlias = name,
                    ProviderId = "p",
                    Endpoint = "/v1/messages",
                    ClientProtocol = "anthropic",
                    StatusCode = status,
                    LatencyMs = 1,
                    InputTokens = round,
                });
            }
        }

        var scrape = PrometheusScrape.Parse(collector.Scrape());
        foreach (var alias in aliases)
        {
            Assert.Equal(25, scrape[$$"""keyway_requests_total{alias="{{alias}}",provider="p",status="200"}"""]);
            Assert.Equal(25, scrape[$$"""keyway_requests_total{alias="{{alias}}",provider="p",status="429"}"""]);
            Assert.Equal(Enumerable.Range(0, 50).Sum(), scrape[$$"""keyway_tokens_total{alias="{{alias}}",provider="p",kind="input"}"""]);
        }
    }

    private static void AssertHistogramCount(PrometheusScrape scrape, string name, string labels, double count)
    {
        Assert.Equal(count, scrape[$"{name}_count{(labels.Length > 0 ? "{" + labels + "}" : "")}"]);
        var infinity = labels.Length > 0 ? $"{{{labels},le=\"+Inf\"}}" : "{le=\"+Inf\"}";
        Assert.Equal(count, scrape[name + "_bucket" + infinity]);
    }
}
