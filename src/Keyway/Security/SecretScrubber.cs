using System.Text;

namespace Keyway.Security;

/// <summary>
/// The secrets one upstream call must never pass on — the upstream key it was sent with and the client's own
/// <c>db_sk_</c> key. Upstreams echo the key they were given ("Incorrect API key provided: sk-…"), in an error body
/// before the first byte or in an error event after it: every such text is scrubbed (each secret shown as
/// <see cref="SecretMask.Mask"/>) before it reaches the client, a log or key health. Built once per upstream attempt,
/// so it holds just the two strings; the UTF-8 form it searches streamed bytes for is made on the stack per search.
/// </summary>
public sealed class SecretScrubber
{
    private const int StackLimit = 512;

    /// <summary>Scrubs nothing: for the time before an upstream call is chosen.</summary>
    public static SecretScrubber None { get; } = new(null, null);

    private readonly string? _upstreamKey;
    private readonly string? _clientKey;

    public SecretScrubber(string? upstreamKey, string? clientKey)
    {
        _upstreamKey = string.IsNullOrEmpty(upstreamKey) ? null : upstreamKey;
        _clientKey = string.IsNullOrEmpty(clientKey) || clientKey == _upstreamKey ? null : clientKey;
    }

    /// <summary>True when <paramref name="text"/> holds any of the secrets.</summary>
    public bool Finds(ReadOnlySpan<byte> text) => Holds(text, _upstreamKey) || Holds(text, _clientKey);

    /// <summary><paramref name="text"/> itself when it holds no secret, else a copy with each one masked.</summary>
    public byte[] Scrub(byte[] text) => Finds(text) ? Encoding.UTF8.GetBytes(Scrub(Encoding.UTF8.GetString(text))) : text;

    /// <summary>As <see cref="Scrub(byte[])"/>, for text that is only borrowed (a slice of a pooled buffer).</summary>
    public ReadOnlyMemory<byte> Scrub(ReadOnlyMemory<byte> text) =>
        Finds(text.Span) ? Encoding.UTF8.GetBytes(Scrub(Encoding.UTF8.GetString(text.Span))) : text;

    private static bool Holds(ReadOnlySpan<byte> text, string? secret)
    {
        if (secret is null || text.Length < secret.Length)
        {
            return false;
        }
        var length = Encoding.UTF8.GetByteCount(secret);
        Span<byte> utf8 = length <= StackLimit ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(secret, utf8);
        return text.IndexOf(utf8) >= 0;
    }

    private string Scrub(string text)
    {
        foreach (var secret in (ReadOnlySpan<string?>)[_upstreamKey, _clientKey])
        {
            if (secret is not null)
            {
                text = text.Replace(secret, SecretMask.Mask(secret), StringComparison.Ordinal);
            }
        }
        return text;
    }
}
