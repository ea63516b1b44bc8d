using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Models.Messages;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A provider with a native endpoint in the client's protocol is passed through there untranslated; without one the
/// client is translated to the main endpoint. The bed's gpt-alias provider speaks OpenAI Chat at {fake}/v1; the fake
/// upstream also serves Anthropic Messages at {fake}/v1/messages, so {fake}/ is its native Anthropic base URL.
/// </summary>
public sealed class NativeEndpointsTests
{
    private const string MessagesBody = """{"model":"gpt-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";
    private const string ChatBody = """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task AnthropicClient_WithNativeAnthropicEndpoint_IsPassedThroughWithAnthropicAuth()
    {
        await using var bed = await StartWithNativeAnthropicAsync();

        using var response = await bed.PostAsync("v1/messages", MessagesBody, ("anthropic-beta", "interleaved-thinking-2025-05-14"));
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("message", answer.RootElement.GetProperty("type").GetString());
        var sent = bed.Upstream.Last;
        Assert.Equal("/v1/messages", sent.Path);
        Assert.Equal(GatewayTestBed.OpenAIModel, sent.Model);
        Assert.Equal(AdminApi.DefaultUpstreamKey, sent.Headers["x-api-key"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
        Assert.Equal("2023-06-01", sent.Headers["anthropic-version"]);
        Assert.Equal("interleaved-thinking-2025-05-14", sent.Headers["anthropic-beta"]);
        await AssertLoggedAsync(bed, translated: false, upstreamProtocol: "anthropic");
    }

    [Fact]
    public async Task AnthropicSdkStream_WithNativeAnthropicEndpoint_IsPassedThroughWithUsage()
    {
        await using var bed = await StartWithNativeAnthropicAsync();

        var text = await StreamWithAnthropicSdkAsync(bed);

        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), text);
        Assert.Equal("/v1/messages", bed.Upstream.Last.Path);
        var log = await AssertLoggedAsync(bed, translated: false, upstreamProtocol: "anthropic");
        // Usage is read in the protocol actually used: only Anthropic's reports cache writes.
        Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt32());
        Assert.Equal(FakeUpstream.CacheCreationTokens, log.GetProperty("cache_write_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatClient_WithNativeAnthropicEndpoint_StillUsesTheMainEndpoint()
    {
        await using var bed = await StartWithNativeAnthropicAsync();

        using var response = await bed.PostAsync("v1/chat/completions", ChatBody);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/v1/chat/completions", bed.Upstream.Last.Path);
        Assert.Equal("Bearer " + AdminApi.DefaultUpstreamKey, bed.Upstream.Last.Headers["Authorization"]);
        await AssertLoggedAsync(bed, translated: false, upstreamProtocol: "openai");
    }

    [Fact]
    public async Task AnthropicClient_WithoutNativeEndpoint_IsTranslatedToTheMainEndpoint()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/messages", MessagesBody);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/v1/chat/completions", bed.Upstream.Last.Path);
        await AssertLoggedAsync(bed, translated: true, upstreamProtocol: "openai");
    }

    [Fact]
    public async Task ChatClient_OnResponsesProviderWithNativeChatEndpoint_IsPassedThroughThere()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var v1 = new Uri(bed.Upstream.BaseAddress, "v1").ToString();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = "responses-first",
            ["name"] = "responses-first",
            ["base_url"] = v1,
            ["protocol"] = "openai-responses",
            ["api_key"] = AdminApi.DefaultUpstreamKey,
            ["native_endpoints"] = new JsonObject { ["openai"] = v1 },
        });
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "both", "responses-first", "both-model");

        using var response = await bed.PostAsync("v1/chat/completions", """{"model":"both","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/v1/chat/completions", bed.Upstream.Last.Path);
        var log = Assert.Single(await bed.WaitForLogsAsync(1));
        Assert.False(log.GetProperty("translated").GetBoolean());
        Assert.Equal("openai", log.GetProperty("upstream_protocol").GetString());
    }

    [Fact]
    public async Task CountTokens_WithNativeAnthropicEndpoint_IsCountedThere()
    {
        await using var bed = await StartWithNativeAnthropicAsync();

        using var response = await bed.PostAsync("v1/messages/count_tokens", """{"model":"gpt-alias","messages":[{"role":"user","content":"count me"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(response.Headers.Contains("x-keyway-token-estimate"));
        Assert.Equal("/v1/messages/count_tokens", bed.Upstream.Last.Path);
        Assert.Equal(GatewayTestBed.OpenAIModel, bed.Upstream.Last.Model);
        Assert.Equal(AdminApi.DefaultUpstreamKey, bed.Upstream.Last.Headers["x-api-key"]);
    }

    /// <summary>
    /// A key with its own base URL (a reseller's copy of the main endpoint) is called there, and never at the provider's
    /// native endpoint, where its secret would be shown to the vendor's host and refused: an Anthropic client is served by
    /// the pool's other key, passed through to the native endpoint.
    /// </summary>
    [Fact]
    public async Task KeyWithItsOwnBaseUrl_ServesTheMainEndpointOnly_TheNativeOneTakesThePoolsOtherKeys()
    {
        await using var bed = await StartWithNativeAnthropicAsync();
        await SetPoolAsync(bed, Reseller(bed), new JsonObject { ["name"] = "vendor", ["api_key"] = AdminApi.DefaultUpstreamKey });

        using var chat = await bed.PostAsync("v1/chat/completions", ChatBody);
        var chatSent = bed.Upstream.Last;
        using var messages = await bed.PostAsync("v1/messages", MessagesBody);

        Assert.Equal((200, "/reseller/v1/chat/completions", $"Bearer {ResellerSecret}"), ((int)chat.StatusCode, chatSent.Path, chatSent.Headers["Authorization"]));
        Assert.Equal((200, "/v1/messages", AdminApi.DefaultUpstreamKey), ((int)messages.StatusCode, bed.Upstream.Last.Path, bed.Upstream.Last.Headers["x-api-key"]));
    }

    /// <summary>
    /// A pool of reseller keys alone has no key for the native endpoint: an Anthropic client is translated to the reseller's
    /// copy of the main endpoint, and the vendor's native host is never called with a reseller's secret.
    /// </summary>
    [Fact]
    public async Task PoolOfKeysWithTheirOwnBaseUrl_ServesANativeClientTranslated_AtTheirOwnBaseUrl()
    {
        await using var bed = await StartWithNativeAnthropicAsync();
        await SetPoolAsync(bed, Reseller(bed));
        bed.Upstream.ReplyForKey(ResellerSecret, ResellerAnswer);

        using var messages = await bed.PostAsync("v1/messages", MessagesBody);

        Assert.Equal(200, (int)messages.StatusCode);
        var answer = await messages.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("message", "from the reseller"), (answer.GetProperty("type").GetString(), answer.GetProperty("content")[0].GetProperty("text").GetString()));
        var sent = Assert.Single(bed.Upstream.Requests);
        Assert.Equal(("/reseller/v1/chat/completions", $"Bearer {ResellerSecret}"), (sent.Path, sent.Headers["Authorization"]));
    }

    /// <summary>A pool of reseller keys alone cannot count at the native endpoint: count_tokens is estimated, as without one.</summary>
    [Fact]
    public async Task PoolOfKeysWithTheirOwnBaseUrl_CountTokensIsEstimated()
    {
        await using var bed = await StartWithNativeAnthropicAsync();
        await SetPoolAsync(bed, Reseller(bed));

        using var response = await bed.PostAsync("v1/messages/count_tokens", """{"model":"gpt-alias","messages":[{"role":"user","content":"count me"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(response.Headers.Contains("x-keyway-token-estimate"));
        Assert.Empty(bed.Upstream.Requests);
    }

    /// <summary>The native endpoint's keys come first; a reseller key serves an Anthropic client only when none of them can.</summary>
    [Fact]
    public async Task VendorKeyCooling_TheResellerKeyServesANativeClientTranslated()
    {
        await using var bed = await StartWithNativeAnthropicAsync();
        await SetPoolAsync(bed, new JsonObject { ["name"] = "vendor", ["api_key"] = AdminApi.DefaultUpstreamKey }, Reseller(bed));
        bed.Upstream.ReplyForKey(ResellerSecret, ResellerAnswer);
        bed.Upstream.ReplyForKey(AdminApi.DefaultUpstreamKey, FakeReply.AnthropicError(429, "rate_limit_error", "slow down", new Dictionary<string, string> { ["Retry-After"] = "30" }), times: 1);

        using var first = await bed.PostAsync("v1/messages", MessagesBody);
        using var second = await bed.PostAsync("v1/messages", MessagesBody);

        Assert.Equal((200, 200), ((int)first.StatusCode, (int)second.StatusCode));
        Assert.Equal(
            ["/v1/messages", "/reseller/v1/chat/completions", "/reseller/v1/chat/completions"],
            bed.Upstream.Requests.Select(request => request.Path));
    }

    /// <summary>The text of a stream the official Anthropic SDK asks the bed's gpt-alias for.</summary>
    internal static async Task<string> StreamWithAnthropicSdkAsync(GatewayTestBed bed)
    {
        var client = new AnthropicClient { ApiKey = bed.Key, BaseUrl = bed.Server.BaseAddress.ToString(), MaxRetries = 0 };
        var text = "";
        await foreach (var streamEvent in client.Messages.CreateStreaming(new MessageCreateParams
        {
            Model = GatewayTestBed.OpenAIAlias,
            MaxTokens = 16,
            Messages = [new UserMessageParam { Content = "hi" }],
        }))
        {
            if (streamEvent.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var textDelta))
            {
                text += textDelta.Text;
            }
        }
        return text;
    }

    private const string ResellerSecret = "sk-reseller-0123456789abcdef";

    /// <summary>
    /// The reseller's chat completion (the fake upstream serves chat only at /v1, not below the reseller's path); shape from
    /// https://platform.openai.com/docs/api-reference/chat/object.
    /// </summary>
    private static readonly FakeReply ResellerAnswer = FakeReply.Status(200, """
        {"id":"chatcmpl-reseller","object":"chat.completion","created":1767225600,"model":"gpt-upstream",
         "choices":[{"index":0,"message":{"role":"assistant","content":"from the reseller"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}
        """);

    private static JsonObject Reseller(GatewayTestBed bed) => new()
    {
        ["name"] = "reseller",
        ["api_key"] = ResellerSecret,
        ["base_url"] = new Uri(bed.Upstream.BaseAddress, "reseller/v1").ToString(),
    };

    private static Task SetPoolAsync(GatewayTestBed bed, params JsonObject[] keys) =>
        AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["routing_mode"] = "priority",
            ["api_keys"] = new JsonArray([.. keys]),
        });

    private static async Task<GatewayTestBed> StartWithNativeAnthropicAsync()
    {
        var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["native_endpoints"] = new JsonObject { ["anthropic"] = bed.Upstream.BaseAddress.ToString() },
        });
        return bed;
    }

    private static async Task<JsonElement> AssertLoggedAsync(GatewayTestBed bed, bool translated, string upstreamProtocol)
    {
        var log = Assert.Single(await bed.WaitForLogsAsync(1));
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal(translated, log.GetProperty("translated").GetBoolean());
        Assert.Equal(upstreamProtocol, log.GetProperty("upstream_protocol").GetString());
        Assert.Equal(GatewayTestBed.OpenAIProvider, log.GetProperty("provider_id").GetString());
        return log;
    }
}
