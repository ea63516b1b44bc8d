namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// FNV-1a over a string's UTF-16 code units: the same on every process and every run, unlike
/// <c>string.GetHashCode</c>, so a name or id shortened or rewritten with it is rewritten alike on every turn of a
/// conversation (and an upstream's prompt cache keeps matching).
/// </summary>
internal static class StableHash
{
    public static string Hex8(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <paramref name="text"/> when it has at most <paramref name="maxLength"/> characters, else its start cut to fit
    /// with <c>_</c> and the <see cref="Hex8"/> of the whole, so two long texts sharing a start stay apart.
    /// </summary>
    public static string Shorten(string text, int maxLength) =>
        text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength - 9), "_", Hex8(text));
}
