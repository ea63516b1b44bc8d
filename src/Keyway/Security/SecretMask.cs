namespace Keyway.Security;

/// <summary>Shows enough of a secret to recognise it and never enough to use it: "sk-…abcd".</summary>
public static class SecretMask
{
    /// <summary>
    /// Secrets shorter than this are short: their head and last four would be most of them (7 of 9 characters), so they
    /// are masked whole, and an admin token this short is warned about at start-up.
    /// </summary>
    public const int ShortBelow = 16;

    /// <summary>A short secret's mask: as many asterisks whatever its length, which one per character would give away.</summary>
    private const string ShortMask = "********";

    public static string Mask(string secret)
    {
        if (secret.Length == 0)
        {
            return "";
        }
        if (secret.Length < ShortBelow)
        {
            return ShortMask;
        }
        var dash = secret.IndexOf('-');
        var head = dash is > 0 and <= 4 ? secret[..(dash + 1)] : secret[..3];
        return head + "…" + secret[^4..];
    }

    /// <summary>As <see cref="Mask"/> with "..." for "…", for where only ASCII may go (a response header's value): "sk-...abcd".</summary>
    public static string AsciiMask(string secret) => Mask(secret).Replace("…", "...", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="value"/> is what <see cref="Mask"/> writes rather than a secret: "sk-…abcd", or all asterisks for a short one.</summary>
    public static bool IsMask(string value) => value.Contains('…') || (value.Length > 0 && value.All(c => c == '*'));
}
