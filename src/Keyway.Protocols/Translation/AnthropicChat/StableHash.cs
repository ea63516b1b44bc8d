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
}
