using Keyway.Protocols.Translation;

namespace Keyway.Upstreams;

/// <summary>The wire protocol a provider speaks; stored as "openai", "anthropic" or "openai-responses".</summary>
public enum UpstreamProtocol
{
    /// <summary>OpenAI Chat Completions at {base_url}/chat/completions (OpenAI, DeepSeek, GLM, Qwen, Ark…).</summary>
    OpenAI,

    /// <summary>Anthropic Messages at {base_url}/v1/messages.</summary>
    Anthropic,

    /// <summary>The OpenAI Responses API at {base_url}/responses: Responses clients (Codex) pass straight through.</summary>
    OpenAIResponses,
}

public static class UpstreamProtocolNames
{
    public static string Name(this UpstreamProtocol protocol) => protocol switch
    {
        UpstreamProtocol.Anthropic => "anthropic",
        UpstreamProtocol.OpenAIResponses => "openai-responses",
        _ => "openai",
    };

    public static WireFormat Wire(this UpstreamProtocol protocol) => protocol switch
    {
        UpstreamProtocol.Anthropic => WireFormat.AnthropicMessages,
        UpstreamProtocol.OpenAIResponses => WireFormat.OpenAIResponses,
        _ => WireFormat.OpenAIChat,
    };

    public static bool TryParse(string name, out UpstreamProtocol protocol)
    {
        (var known, protocol) = name switch
        {
            "openai" => (true, UpstreamProtocol.OpenAI),
            "anthropic" => (true, UpstreamProtocol.Anthropic),
            "openai-responses" => (true, UpstreamProtocol.OpenAIResponses),
            _ => (false, UpstreamProtocol.OpenAI),
        };
        return known;
    }
}
