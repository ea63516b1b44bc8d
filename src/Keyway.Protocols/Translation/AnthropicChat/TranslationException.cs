namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A request or response body that cannot be translated (not JSON, or a field of the wrong shape). The message is
/// written for the client; the forwarder answers it with a 400 in the client's protocol.
/// </summary>
public sealed class TranslationException(string message) : Exception(message);
