namespace Keyway.Gateway;

/// <summary>What a 200's body must at least look like to be a chat surface's answer.</summary>
internal static class AnswerBody
{
    /// <summary>
    /// Whether the body can be a JSON answer at all: its first byte past whitespace (and a BOM) opens an object. An HTML
    /// page from a wrong base URL, or an empty body, cannot. A check of one byte, so the success path parses nothing more.
    /// </summary>
    public static bool StartsLikeJsonObject(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }
        var start = body.IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && body[start] == (byte)'{';
    }
}
