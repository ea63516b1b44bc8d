namespace Keyway.Upstreams;

/// <summary>Upstreams that serve the OpenAI Responses API (OpenAI itself, Azure, some resellers): Bearer auth, {base_url}/responses.</summary>
public sealed class OpenAIResponsesUpstream : IUpstreamProtocol
{
    public static OpenAIResponsesUpstream Instance { get; } = new();

    public UpstreamProtocol Protocol => UpstreamProtocol.OpenAIResponses;

    public string ChatPath => "responses";

    public string AuthHeader => UpstreamAuthHeader.Bearer;
}
