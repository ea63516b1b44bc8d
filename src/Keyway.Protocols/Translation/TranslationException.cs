namespace Keyway.Protocols.Translation;

/// <summary>
/// A request or response body that cannot be translated (not JSON, a field of the wrong shape, or a feature that
/// needs server-side state). The message is written for the client; the forwarder answers it with a 400 in the
/// client's protocol.
/// </summary>
public sealed class TranslationException : Exception
{
    public TranslationException(string message)
        : base(message)
    {
    }

    public TranslationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
