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

    [Fact]
    public void SameUrlAgain_TheUriAlreadyBuiltIsReused()
    {
        var first = new UpstreamEndpoint(UpstreamProtocol.OpenAI, "https://api.example/v1", IsMain: true);
        var second = new UpstreamEndpoint(UpstreamProtocol.OpenAI, "https://api.example/v1", IsMain: true);

        var uri = first.UriFor("chat/completions", PlainKey);

        Assert.Same(uri, second.UriFor("chat/completions", PlainKey));
        Assert.NotSame(uri, first.UriFor("chat/completions", ResellerKey));
    }
}
