using Keyway.Upstreams;

namespace Keyway.Tests.Upstreams;

/// <summary>Where an upstream call goes: the base URL (the key's own on the main endpoint) joined with the path.</summary>
public sealed class UpstreamEndpointTests
{
    private static readonly UpstreamKey PlainKey = new("k1", "plain", "sk-1", []);
    private static readonly UpstreamKey ResellerKey = new("k2", "reseller", "sk-2", [], BaseUrl: "https://reseller.example/v1/");

    [Fact]
    public void BaseUrlAndPath_JoinedWithOneSlash()
    {
        var endpoint = new UpstreamEndpoint(UpstreamProtocol.OpenAI, "https://api.example/v1/", IsMain: true);

        Assert.Equal("https://api.example/v1/chat/completions", endpoint.UriFor("/chat/completions", PlainKey).AbsoluteUri);
    }

    [Fact]
    public void KeysWithAndWithoutTheirOwnBaseUrl_AlternatingOnOneThread_EachGoWhereTheyBelong()
    {
        var main = new UpstreamEndpoint(UpstreamProtocol.OpenAI, "https://api.example/v1", IsMain: true);
        var native = new UpstreamEndpoint(UpstreamProtocol.Anthropic, "https://api.example/anthropic", IsMain: false);

        Assert.Equal("https://api.example/v1/chat/completions", main.UriFor("chat/completions", PlainKey).AbsoluteUri);
        Assert.Equal("https://reseller.example/v1/chat/completions", main.UriFor("chat/completions", ResellerKey).AbsoluteUri);
        Assert.Equal("https://api.example/v1/embeddings?x=1", main.UriFor("embeddings?x=1", ResellerKey with { BaseUrl = null }).AbsoluteUri);
        Assert.Equal("https://api.example/anthropic/v1/messages", native.UriFor("v1/messages", ResellerKey).AbsoluteUri);
        Assert.Equal("https://api.example/v1/chat/completions", main.UriFor("chat/completions", PlainKey).AbsoluteUri);
    }

    /// <summary>
    /// At a native endpoint a key calls its own base URL for the protocol, else the provider's unless it has its own main
    /// base URL (a reseller's secret is not shown to the vendor); an endpoint only keys' own serve has no base URL.
    /// </summary>
    [Fact]
    public void NativeEndpoint_KeysOwnBaseUrlWins_AResellerKeyWithoutOneCannotCallIt()
    {
        var native = new UpstreamEndpoint(UpstreamProtocol.Anthropic, "https://api.example/anthropic", IsMain: false);
        var keysOnly = native with { BaseUrl = null };
        var ownAnthropic = new UpstreamEndpoint(UpstreamProtocol.Anthropic, "https://reseller.example/anthropic", IsMain: false);
        var resellerWithAnthropic = ResellerKey with { NativeEndpoints = [ownAnthropic] };

        Assert.Equal(
            (IEnumerable<string?>)["https://api.example/anthropic", null, "https://reseller.example/anthropic", null, "https://reseller.example/anthropic"],
            (IEnumerable<string?>)[native.BaseUrlFor(PlainKey), native.BaseUrlFor(ResellerKey), native.BaseUrlFor(resellerWithAnthropic), keysOnly.BaseUrlFor(PlainKey),
                keysOnly.BaseUrlFor(resellerWithAnthropic)]);
        Assert.Equal("https://reseller.example/anthropic/v1/messages", keysOnly.UriFor("v1/messages", resellerWithAnthropic).AbsoluteUri);
    }

    /// <summary>OpenAI's and Cerebras's own APIs refuse <c>reasoning_content</c> on a message; compatible vendors take it.</summary>
    [Theory]
    [InlineData("https://api.openai.com/v1", false)]
    [InlineData("https://api.cerebras.ai/v1", false)]
    [InlineData("https://api.deepseek.com/v1", true)]
    [InlineData("https://api.openai.com.example/v1", true)]
    public void ReasoningContent_IsTakenExceptWhereTheUpstreamRefusesIt(string baseUrl, bool takes) =>
        Assert.Equal(takes, new UpstreamEndpoint(UpstreamProtocol.OpenAI, baseUrl, IsMain: true).TakesReasoningContent);

    /// <summary>
    /// MiniMax's own Chat API puts thinking in <c>content</c> unless asked for <c>reasoning_split</c>
    /// (https://platform.minimax.io/docs/api-reference/text-openai-api: "For international users, use
    /// https://api.minimax.io/v1; for users in China, use https://api.minimaxi.com/v1"); its Anthropic endpoint, and other hosts, are left alone.
    /// </summary>
    [Theory]
    [InlineData(UpstreamProtocol.OpenAI, "https://api.minimax.io/v1", true)]
    [InlineData(UpstreamProtocol.OpenAI, "https://API.minimaxi.com/v1/", true)]
    [InlineData(UpstreamProtocol.Anthropic, "https://api.minimax.io/anthropic", false)]
    [InlineData(UpstreamProtocol.OpenAI, "https://api.minimax.io.example/v1", false)]
    [InlineData(UpstreamProtocol.OpenAI, "https://api.deepseek.com/v1", false)]
    public void ReasoningSplit_IsAskedOfMiniMaxsOwnChatApiOnly(UpstreamProtocol protocol, string baseUrl, bool splits) =>
        Assert.Equal(splits, new UpstreamEndpoint(protocol, baseUrl, IsMain: true).SplitsReasoning);

    [Fact]
    public void SameUrlAgain_TheUriAlreadyBuiltIsReused()
    {
        var first = new UpstreamEndpoint(UpstreamProtocol.OpenAI, "https://api.example/v1", IsMain: true);
        var second = new UpstreamEndpoint(UpstreamProtocol.OpenAI, "https://api.example/v1", IsMain: true);

        var uri = first.UriFor("chat/completions", PlainKey);

        Assert.Same(uri, second.UriFor("chat/completions", PlainKey));
        Assert.NotSame(uri, first.UriFor("chat/completions", ResellerKey));
    }

    [Theory]
    [InlineData("https://api.openai.com/v1", "gpt-4.1", true, false)]
    [InlineData("https://API.openai.com/v1/", "o3", true, true)]
    [InlineData("https://api.openai.com", "ft:gpt-4o-mini-2024-07-18:acme::abc123", true, false)]
    [InlineData("https://api.deepseek.com/v1", "deepseek-chat", false, false)]
    [InlineData("https://api.openai.com.evil.example/v1", "gpt-4.1", false, false)]
    [InlineData("https://reseller.example/v1", "o4-mini", true, true)]
    [InlineData("https://reseller.example/v1", "ft:o4-mini-2025-04-16:acme::abc123", true, true)]
    [InlineData("https://openrouter.ai/api/v1", "openai/o3", false, false)]
    public void TranslatedChat_NamesTheLimitAndSampling_ByHostAndModel(string baseUrl, string model, bool maxCompletionTokens, bool fixedSampling)
    {
        var endpoint = new UpstreamEndpoint(UpstreamProtocol.OpenAI, baseUrl, IsMain: true);

        Assert.Equal(maxCompletionTokens, endpoint.TakesMaxCompletionTokens(model));
        Assert.Equal(fixedSampling, endpoint.FixesSampling(model));
    }

    [Fact]
    public void AnthropicEndpoints_GetNeitherChatRule()
    {
        var endpoint = new UpstreamEndpoint(UpstreamProtocol.Anthropic, "https://api.openai.com", IsMain: true);

        Assert.False(endpoint.TakesMaxCompletionTokens("o3"));
        Assert.False(endpoint.FixesSampling("o3"));
    }
}
