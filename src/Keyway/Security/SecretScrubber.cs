using System.Text;

namespace Keyway.Security;

/// <summary>
/// The secrets one upstream call must never pass on — the upstream key it was sent with and the client's own
/// <c>db_sk_</c> key — kept as UTF-8 so text can be searched as it streams by. Upstreams echo the key they were given
/// ("Incorrect API key provided: sk-…"), in an error body before the first byte or in an error event after it: every
/// such text is scrubbed (each secret shown as <see cref="SecretMask.Mask"/>) before it reaches the client, a log or
/// key health.
/// </summary>
public sealed class SecretScrubber
{
    /// <summary>Scrubs nothing: for the time before an upstream call is chosen.</summary>
    public static SecretScrubber None { get; } = new();

    private readonly string[] _secrets;
    private readonly byte[][] _utf8;

    public SecretScrubber(params ReadOnlySpan<string?> secrets)
    {
        var kept = new List<string>(secrets.Length);
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret) && !kept.Contains(secret, StringComparer.Ordinal))
            {
                kept.Add(secret);
            }
        }
        _secrets = [.. kept];
        _utf8 = [.. kept.Select(secret => Encoding.UTF8.GetBytes(secret))];
    }

    /// <summary>True when <paramref name="text"/> holds any of the secrets.</summary>
    public bool Finds(ReadOnlySpan<byte> text)
    {
        foreach (var secret in _utf8)
        {
            if (text.IndexOf(secret) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary><paramref name="text"/> itself when it holds no secret, else a copy with each one masked.</summary>
    public byte[] Scrub(byte[] text) => Finds(text) ? Encoding.UTF8.GetBytes(Scrub(Encoding.UTF8.GetString(text))) : text;

    /// <summary>As <see cref="Scrub(byte[])"/>, for text that is only borrowed (a slice of a pooled buffer).</summary>
    public ReadOnlyMemory<byte> Scrub(ReadOnlyMemory<byte> text) =>
        Finds(text.Span) ? Encoding.UTF8.GetBytes(Scrub(Encoding.UTF8.GetString(text.Span))) : text;

    private string Scrub(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, SecretMask.Mask(secret), StringComparison.Ordinal);
        }
        return text;
    }
}
