namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// A Responses request or Chat answer that cannot be translated (not JSON, wrong shape, or a feature that
/// needs server-side state). The message is safe to show to the client.
/// </summary>
public sealed class ResponsesTranslationException : Exception
{
    public ResponsesTranslationException(string message)
        : base(message)
    {
    }

    public ResponsesTranslationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
