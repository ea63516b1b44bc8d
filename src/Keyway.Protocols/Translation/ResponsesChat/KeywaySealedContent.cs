namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// The <c>encrypted_content</c> Keyway writes in a Responses item, opaque to the client, which sends it back as it got
/// it: a prefix naming what it holds and its version, then the bytes in base64. Anyone else's (OpenAI's) lacks the prefix.
/// </summary>
internal static class KeywaySealedContent
{
    public static string Seal(string prefix, ReadOnlySpan<byte> bytes) => prefix + Convert.ToBase64String(bytes);

    /// <summary>The bytes <paramref name="content"/> holds when it starts with <paramref name="prefix"/>; a damaged one is refused.</summary>
    public static bool TryOpen(string? content, string prefix, string damaged, out byte[] bytes)
    {
        bytes = [];
        if (content is null || !content.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = content.AsSpan(prefix.Length);
        var decoded = new byte[encoded.Length * 3 / 4];
        if (!Convert.TryFromBase64Chars(encoded, decoded, out var written))
        {
            throw new TranslationException(damaged);
        }

        bytes = decoded[..written];
        return true;
    }
}
