using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>POST /admin/llm/test and /admin/llm/e2e: real small requests through the data plane's HTTP stack.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task TestProvider_SendsOneSmallChat()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var body = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { provider_id = GatewayTestBed.AnthropicProvider });

        var test = body.GetProperty("test");
        Assert.True(test.GetProperty("ok").GetBoolean());
        Assert.Equal(200, test.GetProperty("status").GetInt32());
        Assert.Equal(GatewayTestBed.AnthropicModel, test.GetProperty("upstream_model").GetString());
        Assert.StartsWith("chat OK (", test.GetProperty("message").GetString());
        Assert.Equal(16, bed.Upstream.Last.Json.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task TestProvider_ThatIsDisabled_OrOnlyAFallbackTarget_SendsOneSmallChat()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "backup", new Uri(bed.Upstream.BaseAddress, "v1").ToString());
        var routes = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/routes");
        var routeId = routes.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("alias").GetString() == GatewayTestBed.OpenAIAlias)
            .GetProperty("route_id").GetString();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, $"admin/llm/routes/{routeId}/providers", new { provider_id = "backup", upstream_model = "backup-model", priority = 1 });
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.AnthropicProvider}", new { enabled = false });

        var fallback = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { provider_id = "backup" })).GetProperty("test");
        var disabled = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { provider_id = GatewayTestBed.AnthropicProvider })).GetProperty("test");

        Assert.True(fallback.GetProperty("ok").GetBoolean());
        Assert.Equal("backup-model", fallback.GetProperty("upstream_model").GetString());
        Assert.True(disabled.GetProperty("ok").GetBoolean());
        Assert.Equal(GatewayTestBed.AnthropicModel, disabled.GetProperty("upstream_model").GetString());
        Assert.Equal(["backup-model", GatewayTestBed.AnthropicModel], bed.Upstream.Requests.Select(r => r.Model));
    }

    [Fact]
    public async Task TestRoute_ReportsAnUpstreamFailure()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"));

        var body = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { alias = GatewayTestBed.OpenAIAlias, group_id = "default" });

        var test = body.GetProperty("test");
        Assert.False(test.GetProperty("ok").GetBoolean());
        Assert.Equal(401, test.GetProperty("status").GetInt32());
        Assert.Equal("upstream provider 'fake-openai' returned 401: Incorrect API key provided", test.GetProperty("message").GetString());
    }

    /// <summary>
    /// DashScope refuses a whole answer from a model that only streams (QwQ, thinking-only Qwen; "This model only support
    /// stream mode, please enable the stream parameter to access the model.", 400 InvalidParameter,
    /// https://www.alibabacloud.com/help/model-studio/error-code): the key is alive, and the probe asks again for a stream.
    /// </summary>
    [Theory]
    [InlineData("This model only support stream mode, please enable the stream parameter to access the model.")]
    [InlineData("parameter.enable_thinking must be set to false for non-streaming calls")]
    public async Task TestOfAStreamOnlyModel_AsksAgainForAStream(string refusal)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, refusal, "invalid_request_error", "invalid_parameter_error"));

        var test = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { provider_id = GatewayTestBed.OpenAIProvider })).GetProperty("test");

        Assert.True(test.GetProperty("ok").GetBoolean(), test.GetProperty("message").GetString());
        Assert.Equal("chat OK (stream only)", test.GetProperty("message").GetString());
        Assert.Equal([false, true], bed.Upstream.Requests.Select(request => request.Json.GetProperty("stream").GetBoolean()));
    }

    [Fact]
    public async Task TestResult_MasksTheUpstreamKey_AnUpstreamEchoes()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(401, $"Incorrect API key provided: Bearer {AdminApi.DefaultUpstreamKey}", "invalid_request_error", "invalid_api_key"));

        var body = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { provider_id = GatewayTestBed.OpenAIProvider });

        var message = body.GetProperty("test").GetProperty("message").GetString();
        Assert.DoesNotContain(AdminApi.DefaultUpstreamKey, message);
        Assert.Contains("Incorrect API key provided: Bearer sk-…cdef", message);
    }

    [Fact]
    public async Task TestUnknownTargets_Are404()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var provider = await AdminApi.PostAsync(bed.Admin, "admin/llm/test", new { provider_id = "nope" });
        var route = await AdminApi.PostAsync(bed.Admin, "admin/llm/test", new { alias = "nope", group_id = "default" });

        AdminApi.AssertError(provider, System.Net.HttpStatusCode.NotFound, "provider not found: nope");
        AdminApi.AssertError(route, System.Net.HttpStatusCode.NotFound, "model 'nope' not found in group 'default'");
    }

    [Fact]
    public async Task EndToEnd_ProbesEveryRoute_AndSummarises()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateGroupAsync(bed.Admin, "team", "Team");
        await AdminApi.CreateProviderAsync(bed.Admin, "team", "dead", "http://127.0.0.1:9/v1");
        await AdminApi.CreateRouteAsync(bed.Admin, "team", "dead-alias", "dead", "m");

        var all = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/e2e");
        var defaultOnly = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/e2e", new { group_id = "default" });

        Assert.Equal("FAIL (2/3)", all.GetProperty("summary").GetString());
        Assert.Equal("PASS (2/2)", defaultOnly.GetProperty("summary").GetString());
        var team = all.GetProperty("group_results").EnumerateArray().Single(g => g.GetProperty("group_id").GetString() == "team");
        Assert.Equal("Team", team.GetProperty("group_name").GetString());
        var dead = team.GetProperty("results")[0];
        Assert.Equal("dead-alias", dead.GetProperty("alias").GetString());
        Assert.Equal("openai", dead.GetProperty("protocol").GetString());
        Assert.False(dead.GetProperty("ok").GetBoolean());
        Assert.Equal(502, dead.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task RouteProbes_UseTheKeyTheNextRequestWould_NotACoolingFirstKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(30));
        Assert.Equal(200, await pool.ChatStatusAsync());
        pool.Upstream.Reset();

        var e2e = await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, "admin/llm/e2e", new { group_id = "default" });
        var test = (await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, "admin/llm/test", new { alias = GatewayTestBed.OpenAIAlias })).GetProperty("test");

        Assert.Equal("PASS (2/2)", e2e.GetProperty("summary").GetString());
        var route = e2e.GetProperty("group_results")[0].GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("alias").GetString() == GatewayTestBed.OpenAIAlias);
        Assert.Equal("b", route.GetProperty("key").GetString());
        Assert.True(test.GetProperty("ok").GetBoolean());
        Assert.Equal(GatewayTestBed.OpenAIProvider, test.GetProperty("provider_id").GetString());
        Assert.Equal("b", test.GetProperty("key").GetString());
        Assert.DoesNotContain(KeyPoolBed.Secret("a"), pool.Upstream.Requests.Select(r => r.UpstreamKey));
    }

    [Fact]
    public async Task RouteProbe_WhenEveryKeyIsBlocked_ShowsWhatTheFirstKeyGets()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(30));
        Assert.Equal(429, await pool.ChatStatusAsync());

        var test = (await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, "admin/llm/test", new { alias = GatewayTestBed.OpenAIAlias })).GetProperty("test");

        Assert.False(test.GetProperty("ok").GetBoolean());
        Assert.Equal(429, test.GetProperty("status").GetInt32());
        Assert.Equal("a", test.GetProperty("key").GetString());
    }

    [Fact]
    public async Task ProviderProbe_UsesAKeyThatServesTheModel()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject
        {
            ["api_keys"] = new JsonArray(
                new JsonObject { ["name"] = "a", ["api_key"] = KeyPoolBed.Secret("a"), ["models"] = new JsonArray("some-other-model") },
                new JsonObject { ["name"] = "b", ["api_key"] = KeyPoolBed.Secret("b") }),
        });

        var test = (await AdminApi.OkAsync(pool.Admin, HttpMethod.Post, "admin/llm/test", new { provider_id = GatewayTestBed.OpenAIProvider })).GetProperty("test");

        Assert.True(test.GetProperty("ok").GetBoolean());
        Assert.Equal("b", test.GetProperty("key").GetString());
        Assert.Equal(KeyPoolBed.Secret("b"), pool.Upstream.Last.UpstreamKey);
    }

    [Fact]
    public async Task TestRoute_OnAReasoningModel_AsksForMaxCompletionTokens()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "o3-alias", GatewayTestBed.OpenAIProvider, "o3");

        var test = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { alias = "o3-alias", group_id = "default" })).GetProperty("test");

        Assert.True(test.GetProperty("ok").GetBoolean(), test.GetProperty("message").GetString());
        Assert.Equal(16, bed.Upstream.Last.Json.GetProperty("max_completion_tokens").GetInt32());
        Assert.False(bed.Upstream.Last.Json.TryGetProperty("max_tokens", out _));
    }

    [Fact]
    public async Task TestProvider_ThatTimesOut_NamesTheProvidersTimeout()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new { timeout_seconds = 1 });
        bed.Upstream.Enqueue(FakeReply.HangUntilAborted());

        var test = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { provider_id = GatewayTestBed.OpenAIProvider })).GetProperty("test");

        Assert.Equal(504, test.GetProperty("status").GetInt32());
        Assert.Equal($"upstream provider '{GatewayTestBed.OpenAIProvider}' did not answer within 1 s", test.GetProperty("message").GetString());
    }

    /// <summary>
    /// An error status whose body stalls is that status, as the data plane answers it: what arrived of the body is the
    /// message, marked as cut off, once the probe's time ran out (not a 504 that hides the upstream's answer).
    /// </summary>
    [Fact]
    public async Task TestProvider_WhoseErrorBodyStalls_ReportsTheStatusAndWhatArrived()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new { timeout_seconds = 1 });
        bed.Upstream.Enqueue(FakeReply.Status(503, """{"error":{"message":"over""").ThenHoldOpen());

        var test = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { provider_id = GatewayTestBed.OpenAIProvider })).GetProperty("test");

        Assert.False(test.GetProperty("ok").GetBoolean());
        Assert.Equal(503, test.GetProperty("status").GetInt32());
        Assert.Equal($$"""upstream provider '{{GatewayTestBed.OpenAIProvider}}' returned 503, its body cut off: {"error":{"message":"over""", test.GetProperty("message").GetString());
    }

    /// <summary>The route test and every route of the E2E run read a stalled error body as the provider test does.</summary>
    [Fact]
    public async Task RouteTestAndEndToEnd_WhoseErrorBodyStalls_ReportTheStatus()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        foreach (var provider in new[] { GatewayTestBed.OpenAIProvider, GatewayTestBed.AnthropicProvider })
        {
            await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{provider}", new { timeout_seconds = 1 });
        }
        bed.Upstream.ReplyToAll(FakeReply.Status(503, "").ThenHoldOpen());

        var test = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/test", new { alias = GatewayTestBed.OpenAIAlias, group_id = "default" })).GetProperty("test");
        var e2e = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/e2e", new { group_id = "default" });

        Assert.Equal(503, test.GetProperty("status").GetInt32());
        Assert.Equal($"upstream provider '{GatewayTestBed.OpenAIProvider}' returned 503, its body cut off before any of it arrived", test.GetProperty("message").GetString());
        Assert.Equal("FAIL (0/2)", e2e.GetProperty("summary").GetString());
        var routes = e2e.GetProperty("group_results")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.All(routes, route => Assert.Equal(503, route.GetProperty("status").GetInt32()));
        Assert.All(routes, route => Assert.EndsWith("returned 503, its body cut off before any of it arrived", route.GetProperty("message").GetString()));
    }
}
