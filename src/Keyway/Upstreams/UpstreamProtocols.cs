namespace Keyway.Upstreams;

public static class UpstreamProtocols
{
    public static IUpstreamProtocol For(UpstreamProtocol protocol) =>
        protocol == UpstreamProtocol.Anthropic ? AnthropicUpstream.Instance : OpenAIUpstream.Instance;
}
