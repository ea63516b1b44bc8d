namespace Keyway.Upstreams;

/// <summary>OpenAI-compatible upstreams (OpenAI, DeepSeek, GLM, Qwen, Ark…): Bearer auth, {base_url}/chat/completions.</summary>
public sealed class OpenAIUpstream : IUpstreamProtocol
{
    public static OpenAIUpstream Instance { get; } = new();

    public UpstreamProtocol Protocol => UpstreamProtocol.OpenAI;

    public string ChatPath => "chat/completions";

    public string AuthHeader => UpstreamAuthHeader.Bearer;
}
