using System.Text;

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

    /// <summary>
    /// <paramref name="text"/> (UTF-8, e.g. an upstream's error body) with every occurrence of <paramref name="secret"/>
    /// masked: upstreams that echo the key they were given must not pass it on to clients, logs or key health.
    /// </summary>
    public static byte[] Scrub(byte[] text, string secret)
    {
        if (secret.Length == 0 || text.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0)
        {
            return text;
        }
        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(text).Replace(secret, Mask(secret), StringComparison.Ordinal));
    }
}
