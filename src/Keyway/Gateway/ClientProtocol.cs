namespace Keyway.Gateway;

/// <summary>The wire format a client speaks to Keyway; errors are written back in it.</summary>
public enum ClientProtocol
{
    OpenAIChat,
    AnthropicMessages,
}

public static class ClientProtocolNames
{
    /// <summary>The name used in logs and in Keyway's "bound to X provider" message.</summary>
    public static string Name(this ClientProtocol protocol) => protocol == ClientProtocol.AnthropicMessages ? "anthropic" : "openai";
}
