using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>A route's defaults through the admin API and the gateway, in each upstream protocol.</summary>
public sealed class RouteDefaultsTests
{
    [Fact]
    public async Task Admin_StoresListsAndClearsDefaults()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var routeId = await AdminApi.CreateRouteAsync(bed.Admin, "default", "tuned", GatewayTestBed.OpenAIProvider, "m");

        var patched = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject
        {
            ["default_reasoning_effort"] = "high",
            ["max_tokens_cap"] = 2048,
            ["default_temperature"] = 0.3,
        })).GetProperty("route");
        Assert.Equal("high", patched.GetProperty("default_reasoning_effort").GetString());
        Assert.Equal(2048, patched.GetProperty("max_tokens_cap").GetInt32());
        Assert.Equal(0.3, patched.GetProperty("default_temperature").GetDouble());

        var listed = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/routes")).GetProperty("routes")
            .EnumerateArray().Single(route => route.GetProperty("route_id").GetString() == routeId);
        Assert.Equal("high", listed.GetProperty("default_reasoning_effort").GetString());

        var cleared = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}",
            new JsonObject { ["max_tokens_cap"] = null })).GetProperty("route");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.GetProperty("max_tokens_cap").ValueKind);
        Assert.Equal("high", cleared.GetProperty("default_reasoning_effort").GetString());
    }

    [Theory]
    [InlineData("default_reasoning_effort", "\"max\"", "default_reasoning_effort must be one of: low, medium, high")]
    [InlineData("max_tokens_cap", "0", "max_tokens_cap must be an integer from 1 to 10000000")]
    [InlineData("max_tokens_cap", "\"4096\"", "max_tokens_cap must be an integer from 1 to 10000000")]
    [InlineData("default_temperature", "2.5", "default_temperature must be a number from 0 to 2")]
    public async Task Admin_RejectsBadDefaults_NamingTheField(string field, string value, string detail)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var reply = await AdminApi.PostAsync(bed.Admin, "admin/llm/groups/default/routes",
            $$"""{"alias":"x","provider_id":"{{GatewayTestBed.OpenAIProvider}}","upstream_model":"m","{{field}}":{{value}}}""");

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, detail, field);
    }

    [Fact]
    public async Task Chat_PassThrough_GetsEffortAndTemperature_AndAClampedLimit()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await SetDefaultsAsync(bed, GatewayTestBed.OpenAIAlias);

        var sent = await SentUpstreamAsync(bed, "v1/chat/completions",
            $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":99999,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal("low", sent.GetProperty("reasoning_effort").GetString());
        Assert.Equal(0.25, sent.GetProperty("temperature").GetDouble());
        Assert.Equal(3000, sent.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task Anthropic_PassThrough_GetsAThinkingBudget_AndKeepsTheClientsTemperature()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await SetDefaultsAsync(bed, GatewayTestBed.AnthropicAlias);

        var sent = await SentUpstreamAsync(bed, "v1/messages",
            $$"""{"model":"{{GatewayTestBed.AnthropicAlias}}","max_tokens":64000,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(3000, sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal(2048, sent.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.False(sent.TryGetProperty("temperature", out _));
    }

    [Fact]
    public async Task Translated_ChatClientOnAnthropicUpstream_DefaultsApplyInTheUpstreamsProtocol()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await SetDefaultsAsync(bed, GatewayTestBed.AnthropicAlias);

        var sent = await SentUpstreamAsync(bed, "v1/chat/completions",
            $$"""{"model":"{{GatewayTestBed.AnthropicAlias}}","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(3000, sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal("enabled", sent.GetProperty("thinking").GetProperty("type").GetString());
    }

    /// <summary>
    /// Claude 4.6 onwards take the default effort as adaptive thinking, Opus 4.7 refusing a budget (the fake refuses it,
    /// <see cref="FakeAnthropicRequestRules"/>): passed through and translated alike.
    /// </summary>
    [Theory]
    [InlineData("v1/messages", """{"model":"opus","max_tokens":64000,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("v1/chat/completions", """{"model":"opus","messages":[{"role":"user","content":"hi"}]}""")]
    public async Task Anthropic_OnAnAdaptiveOnlyClaude_GetsAdaptiveThinking(string path, string json)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "opus", GatewayTestBed.AnthropicProvider, "claude-opus-4-7");
        await SetDefaultsAsync(bed, "opus");

        var sent = await SentUpstreamAsync(bed, path, json);

        Assert.Equal("""{"type":"adaptive","display":"summarized"}""", sent.GetProperty("thinking").GetRawText());
        Assert.Equal("low", sent.GetProperty("output_config").GetProperty("effort").GetString());
        Assert.Equal(3000, sent.GetProperty("max_tokens").GetInt32());
    }

    /// <summary>On an OpenAI reasoning model (o3), whose Responses API refuses any temperature, without the default one.</summary>
    [Theory]
    [InlineData("resp-model", 0.25)]
    [InlineData("o3", null)]
    public async Task Responses_PassThrough_GetsReasoningEffort(string upstreamModel, double? temperature)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "fake-responses", new Uri(bed.Upstream.BaseAddress, "v1").ToString(), "openai-responses");
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "resp", "fake-responses", upstreamModel);
        await SetDefaultsAsync(bed, "resp");

        var sent = await SentUpstreamAsync(bed, "v1/responses", """{"model":"resp","max_output_tokens":5000,"input":"hi"}""");

        Assert.Equal("low", sent.GetProperty("reasoning").GetProperty("effort").GetString());
        Assert.Equal(3000, sent.GetProperty("max_output_tokens").GetInt32());
        Assert.Equal(temperature, sent.TryGetProperty("temperature", out var sentTemperature) ? sentTemperature.GetDouble() : null);
    }

    /// <summary>
    /// OpenAI's reasoning models refuse a temperature other than 1 (the fake refuses what they refuse,
    /// <see cref="FakeReasoningModels"/>): the route's default temperature is left out for them, passed through or
    /// translated, while its effort and cap still apply, the cap to the limit the body names (never <c>max_tokens</c>).
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", """{"model":"o3-alias","max_completion_tokens":99999,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("v1/messages", """{"model":"o3-alias","max_tokens":99999,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("v1/responses", """{"model":"o3-alias","max_output_tokens":99999,"input":"hi"}""")]
    public async Task OpenAIReasoningModel_GetsNoDefaultTemperature_AndTheCapOnItsOwnLimit(string path, string json)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "o3-alias", GatewayTestBed.OpenAIProvider, "o3");
        await SetDefaultsAsync(bed, "o3-alias");

        var sent = await SentUpstreamAsync(bed, path, json);

        Assert.False(sent.TryGetProperty("temperature", out _));
        Assert.False(sent.TryGetProperty("max_tokens", out _));
        Assert.Equal(3000, sent.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal("low", sent.GetProperty("reasoning_effort").GetString());
    }

    /// <summary>Posts with the issued key, expects 200, and returns the body the upstream received.</summary>
    private static async Task<System.Text.Json.JsonElement> SentUpstreamAsync(GatewayTestBed bed, string path, string json)
    {
        using var response = await bed.PostAsync(path, json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return bed.Upstream.Last.Json;
    }

    private static async Task SetDefaultsAsync(GatewayTestBed bed, string alias)
    {
        var routes = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/routes")).GetProperty("routes");
        var routeId = routes.EnumerateArray().Single(route => route.GetProperty("alias").GetString() == alias).GetProperty("route_id").GetString();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject
        {
            ["default_reasoning_effort"] = "low",
            ["max_tokens_cap"] = 3000,
            ["default_temperature"] = 0.25,
        });
    }
}
