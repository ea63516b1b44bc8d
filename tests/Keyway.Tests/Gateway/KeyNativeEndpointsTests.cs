using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A key's own native endpoints (AMKR's per-base-URL <c>upstream_routes</c>): a reseller key with its own base URL that
/// also answers Anthropic Messages at its own Anthropic base URL passes an Anthropic client through there untranslated,
/// though its provider (the bed's gpt-alias, OpenAI Chat at {fake}/v1) has no native endpoint. The fake upstream serves
/// Anthropic Messages at {fake}/v1/messages, so {fake}/ stands for the reseller's Anthropic base URL.
/// </summary>
public sealed class KeyNativeEndpointsTests
{
    private const string MessagesBody = """{"model":"gpt-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";
    private const string ResellerSecret = "sk-reseller-0123456789abcdef";

    [Fact]
    public async Task AnthropicClient_OnAKeyWithANativeAnthropicEndpoint_IsPassedThroughThereWithTheKeysSecret()
    {
        await using var bed = await StartWithPoolAsync(Reseller(bed => bed.Upstream.BaseAddress.ToString()));

        using var response = await bed.PostAsync("v1/messages", MessagesBody);

        Assert.Equal(200, (int)response.StatusCode);
        var sent = Assert.Single(bed.Upstream.Requests);
        Assert.Equal(("/v1/messages", ResellerSecret, GatewayTestBed.OpenAIModel), (sent.Path, sent.Headers["x-api-key"], sent.Model));
        var log = Assert.Single(await bed.WaitForLogsAsync(1));
        Assert.Equal((false, "anthropic"), (log.GetProperty("translated").GetBoolean(), log.GetProperty("upstream_protocol").GetString()));
    }

    [Fact]
    public async Task AnthropicSdkStream_OnAKeyWithANativeAnthropicEndpoint_IsPassedThroughThere()
    {
        await using var bed = await StartWithPoolAsync(Reseller(bed => bed.Upstream.BaseAddress.ToString()));

        var text = await NativeEndpointsTests.StreamWithAnthropicSdkAsync(bed);

        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), text);
        var sent = Assert.Single(bed.Upstream.Requests);
        Assert.Equal(("/v1/messages", ResellerSecret), (sent.Path, sent.Headers["x-api-key"]));
    }

    /// <summary>The key that serves the client's protocol natively comes first, even behind a priority pool's first key.</summary>
    [Fact]
    public async Task KeyWithANativeEndpoint_IsPreferred_TheOthersServeTranslatedOnlyWhenItCannot()
    {
        await using var bed = await StartWithPoolAsync(Vendor, Reseller(bed => bed.Upstream.BaseAddress.ToString()));
        bed.Upstream.ReplyForKey(
            ResellerSecret,
            FakeReply.AnthropicError(429, "rate_limit_error", "slow down", new Dictionary<string, string> { ["Retry-After"] = "30" }),
            times: 1);

        using var first = await bed.PostAsync("v1/messages", MessagesBody);
        using var second = await bed.PostAsync("v1/messages", MessagesBody);

        Assert.Equal((200, 200), ((int)first.StatusCode, (int)second.StatusCode));
        Assert.Equal(
            [("/v1/messages", ResellerSecret), ("/v1/chat/completions", $"Bearer {AdminApi.DefaultUpstreamKey}"), ("/v1/chat/completions", $"Bearer {AdminApi.DefaultUpstreamKey}")],
            bed.Upstream.Requests.Select(sent => (sent.Path, sent.Headers.GetValueOrDefault("x-api-key") ?? sent.Headers["Authorization"])));
    }

    [Fact]
    public async Task CountTokens_OnAKeyWithANativeAnthropicEndpoint_IsCountedThere()
    {
        await using var bed = await StartWithPoolAsync(Vendor, Reseller(bed => bed.Upstream.BaseAddress.ToString()));

        using var response = await bed.PostAsync("v1/messages/count_tokens", """{"model":"gpt-alias","messages":[{"role":"user","content":"count me"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(response.Headers.Contains("x-keyway-token-estimate"));
        var sent = Assert.Single(bed.Upstream.Requests);
        Assert.Equal(("/v1/messages/count_tokens", ResellerSecret), (sent.Path, sent.Headers["x-api-key"]));
    }

    [Theory]
    [InlineData("reseller", "/v1/messages", ResellerSecret)]
    [InlineData("vendor", "/v1/chat/completions", "Bearer " + AdminApi.DefaultUpstreamKey)]
    public async Task PinnedKey_IsCalledNativelyOnlyWhenItHasTheEndpoint(string keyName, string path, string credential)
    {
        await using var bed = await StartWithPoolAsync(Vendor, Reseller(bed => bed.Upstream.BaseAddress.ToString()));

        using var response = await bed.PostAsync("v1/messages", MessagesBody.Replace("gpt-alias", $"gpt-alias[{keyName}]", StringComparison.Ordinal));

        Assert.Equal(200, (int)response.StatusCode);
        var sent = Assert.Single(bed.Upstream.Requests);
        Assert.Equal((path, credential), (sent.Path, sent.Headers.GetValueOrDefault("x-api-key") ?? sent.Headers["Authorization"]));
    }

    /// <summary>A key without its own base URL calls its own native endpoint rather than the provider's.</summary>
    [Fact]
    public async Task KeysOwnNativeEndpoint_WinsOverTheProvidersForThatKey()
    {
        await using var bed = await StartWithPoolAsync(bed => new JsonObject
        {
            ["name"] = "vendor",
            ["api_key"] = AdminApi.DefaultUpstreamKey,
            ["native_endpoints"] = new JsonObject { ["anthropic"] = bed.Upstream.BaseAddress.ToString() },
        });
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["native_endpoints"] = new JsonObject { ["anthropic"] = new Uri(bed.Upstream.BaseAddress, "vendor-anthropic").ToString() },
        });

        using var response = await bed.PostAsync("v1/messages", MessagesBody);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/v1/messages", Assert.Single(bed.Upstream.Requests).Path);
    }

    private static readonly Func<GatewayTestBed, JsonObject> Vendor = _ => new JsonObject { ["name"] = "vendor", ["api_key"] = AdminApi.DefaultUpstreamKey };

    private static Func<GatewayTestBed, JsonObject> Reseller(Func<GatewayTestBed, string> anthropicUrl) => bed => new JsonObject
    {
        ["name"] = "reseller",
        ["api_key"] = ResellerSecret,
        ["base_url"] = new Uri(bed.Upstream.BaseAddress, "reseller/v1").ToString(),
        ["native_endpoints"] = new JsonObject { ["anthropic"] = anthropicUrl(bed) },
    };

    private static async Task<GatewayTestBed> StartWithPoolAsync(params Func<GatewayTestBed, JsonObject>[] keys)
    {
        var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["routing_mode"] = "priority",
            ["api_keys"] = new JsonArray([.. keys.Select(key => key(bed))]),
        });
        return bed;
    }
}
