namespace Keyway.Security;

/// <summary>Shows enough of a secret to recognise it and never enough to use it: "sk-…abcd".</summary>
public static class SecretMask
{
    public static string Mask(string secret)
    {
        if (secret.Length <= 8)
        {
            return new string('*', secret.Length);
        }
        var dash = secret.IndexOf('-');
        var head = dash is > 0 and <= 4 ? secret[..(dash + 1)] : secret[..3];
        return head + "…" + secret[^4..];
    }

    /// <summary>Whether <paramref name="value"/> is what <see cref="Mask"/> writes rather than a secret: "sk-…abcd", or all asterisks for a short one.</summary>
    public static bool IsMask(string value) => value.Contains('…') || (value.Length > 0 && value.All(c => c == '*'));
}
