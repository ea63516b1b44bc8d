namespace Keyway.Upstreams;

public static class UpstreamProtocols
{
    public static IUpstreamProtocol For(UpstreamProtocol protocol) => protocol switch
    {
        UpstreamProtocol.Anthropic => AnthropicUpstream.Instance,
        UpstreamProtocol.OpenAIResponses => OpenAIResponsesUpstream.Instance,
        _ => OpenAIUpstream.Instance,
    };
}
