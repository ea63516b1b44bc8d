namespace Keyway.Protocols.Translation;

/// <summary>The wire formats Keyway speaks on either side of a call.</summary>
public enum WireFormat
{
    OpenAIChat,
    AnthropicMessages,
    OpenAIResponses,
}
