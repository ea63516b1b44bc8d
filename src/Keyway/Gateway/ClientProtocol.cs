using Keyway.Protocols.Translation;

namespace Keyway.Gateway;

/// <summary>The wire format a client speaks to Keyway; errors are written back in it.</summary>
public enum ClientProtocol
{
    OpenAIChat,
    AnthropicMessages,
    OpenAIResponses,
}

public static class ClientProtocolNames
{
    /// <summary>The name used in logs and in Keyway's "bound to X provider" message.</summary>
    public static string Name(this ClientProtocol protocol) => protocol switch
    {
        ClientProtocol.AnthropicMessages => "anthropic",
        ClientProtocol.OpenAIResponses => "openai-responses",
        _ => "openai",
    };

    public static WireFormat Wire(this ClientProtocol protocol) => protocol switch
    {
        ClientProtocol.AnthropicMessages => WireFormat.AnthropicMessages,
        ClientProtocol.OpenAIResponses => WireFormat.OpenAIResponses,
        _ => WireFormat.OpenAIChat,
    };
}
