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

    /// <summary>
    /// The upstream's answer itself says it failed (GLM's <c>finish_reason</c> <c>network_error</c>): the upstream's failure
    /// as a stream broken off is, counted against its key, not a body Keyway could not translate.
    /// </summary>
    public bool UpstreamBrokeOff { get; private init; }

    /// <summary>An answer that ended with <see cref="UpstreamBrokeOff"/>.</summary>
    public static TranslationException BrokeOff(string message) => new(message) { UpstreamBrokeOff = true };

    public TranslationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
