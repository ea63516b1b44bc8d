namespace Keyway.Protocols.Translation;

/// <summary>
/// A request or response body that cannot be translated (not JSON, a field of the wrong shape, or a feature that
/// needs server-side state). The message is written for the client; the forwarder answers it with a 400 in the
/// client's protocol.
/// </summary>
public sealed class TranslationException : Exception
{
    /// <summary>
    /// An upstream's tool call without a name: no client can run it, so every translated answer takes it for the upstream's
    /// failure (a whole answer the gateway's 502, a stream the client protocol's error event).
    /// </summary>
    public const string NamelessToolCall = "The upstream answered a tool call without a name.";

    public TranslationException(string message)
        : base(message)
    {
    }

    public TranslationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
