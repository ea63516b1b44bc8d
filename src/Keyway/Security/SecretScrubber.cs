using System.Buffers;
using System.Text;

namespace Keyway.Security;

/// <summary>
/// The secrets one upstream call must never pass on — the upstream key it was sent with, the client's own
/// <c>db_sk_</c> key (and the other key it presented beside it, see the constructor) and the credentials among the
/// provider's extra headers (<see cref="HeaderSecrets"/>, encoded once per routing table). Upstreams echo the key they were given ("Incorrect API key provided: sk-…"), in an error body
/// before the first byte or in an error event after it: every such text is scrubbed (each secret shown as
/// <see cref="SecretMask.Mask"/>) before it reaches the client, a log or key health; so is a whole answer's body and
/// every header relayed from the upstream (an echo service or a proxy reflecting Authorization). Built once per upstream attempt
/// with each secret's UTF-8 form, which every event of a stream is searched for: encoding the two keys again for each
/// event was half of the search's cost, ~1% of a streamed call's CPU (bench/RESULTS.md).
/// </summary>
public sealed class SecretScrubber
{
    /// <summary>Scrubs nothing: for the time before an upstream call is chosen.</summary>
    public static SecretScrubber None { get; } = new(null, null);

    private readonly HeaderSecrets _headers;

    private readonly string? _upstreamKey;
    private readonly string? _clientKey;
    private readonly string? _secondClientKey;
    private readonly byte[]? _upstreamKeyUtf8;
    private readonly byte[]? _clientKeyUtf8;
    private readonly byte[]? _secondClientKeyUtf8;

    /// <summary>The secrets JSON may echo escaped (<see cref="EscapedSecret"/>); null when none can be, as for nearly every key.</summary>
    private readonly EscapedSecret[]? _escaped;

    /// <param name="secondClientKey">
    /// The other key a client presented when it sent two (Authorization and x-api-key): one of the two authenticated, the
    /// other is often a vendor key left in the client's other variable. Null for nearly every call, which then searches
    /// nothing more.
    /// </param>
    public SecretScrubber(string? upstreamKey, string? clientKey, HeaderSecrets? headers = null, string? secondClientKey = null)
    {
        _headers = headers ?? HeaderSecrets.None;
        _upstreamKey = Secret(upstreamKey);
        _clientKey = clientKey == _upstreamKey ? null : Secret(clientKey);
        _secondClientKey = secondClientKey == _upstreamKey || secondClientKey == _clientKey ? null : Secret(secondClientKey);
        _upstreamKeyUtf8 = _upstreamKey is null ? null : Encoding.UTF8.GetBytes(_upstreamKey);
        _clientKeyUtf8 = _clientKey is null ? null : Encoding.UTF8.GetBytes(_clientKey);
        _secondClientKeyUtf8 = _secondClientKey is null ? null : Encoding.UTF8.GetBytes(_secondClientKey);
        EscapedSecret[] escaped =
            [.. new[] { EscapedSecret.Of(_upstreamKey), EscapedSecret.Of(_clientKey), EscapedSecret.Of(_secondClientKey) }.OfType<EscapedSecret>(), .. _headers.Escaped];
        _escaped = escaped.Length == 0 ? null : escaped;
    }

    /// <summary>
    /// Values shorter than this are placeholders, not secrets (vLLM's <c>EMPTY</c> upstream key, a <c>dummy</c> in a
    /// client's other key variable): masking them would change answers that merely use the word, and hide nothing.
    /// </summary>
    internal const int MinSecretLength = 8;

    private static string? Secret(string? value) => value is { Length: >= MinSecretLength } ? value : null;

    /// <summary>
    /// True when <paramref name="text"/> holds any of the secrets, as they are or JSON-escaped (searched for only in text
    /// holding a backslash, and only when a secret has a character JSON escapes).
    /// </summary>
    public bool Finds(ReadOnlySpan<byte> text) =>
        Holds(text, _upstreamKeyUtf8) || Holds(text, _clientKeyUtf8) || Holds(text, _secondClientKeyUtf8) || HoldsHeaderSecret(text) || (_escaped is not null && HoldsEscaped(text));

    /// <summary><paramref name="text"/> itself when it holds no secret, else a copy with each one masked.</summary>
    public byte[] Scrub(byte[] text) => Finds(text) ? Masked(text) : text;

    /// <summary>As <see cref="Scrub(byte[])"/>, for text that is only borrowed (a slice of a pooled buffer).</summary>
    public ReadOnlyMemory<byte> Scrub(ReadOnlyMemory<byte> text) => Finds(text.Span) ? Masked(text.Span) : text;

    private byte[] Masked(ReadOnlySpan<byte> text)
    {
        var masked = Encoding.UTF8.GetBytes(Scrub(Encoding.UTF8.GetString(text)));
        if (_escaped is not null && masked.AsSpan().Contains((byte)'\\'))
        {
            foreach (var secret in _escaped)
            {
                masked = MaskEscaped(masked, secret);
            }
        }
        return masked;
    }

    private bool HoldsEscaped(ReadOnlySpan<byte> text)
    {
        if (!text.Contains((byte)'\\'))
        {
            return false;
        }
        foreach (var secret in _escaped!)
        {
            if (secret.FindIn(text) is not null)
            {
                return true;
            }
        }
        return false;
    }

    private static byte[] MaskEscaped(byte[] text, EscapedSecret secret)
    {
        var next = secret.FindIn(text);
        if (next is null)
        {
            return text;
        }
        var masked = new ArrayBufferWriter<byte>(text.Length);
        var copied = 0;
        for (; next is { } echo; next = secret.FindIn(text, copied))
        {
            masked.Write(text.AsSpan(copied, echo.Start - copied));
            masked.Write(secret.Mask);
            copied = echo.End;
        }
        masked.Write(text.AsSpan(copied));
        return masked.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A relayed header's value with each secret masked in ASCII (<see cref="SecretMask.AsciiMask"/>: Kestrel sends no
    /// other byte in a header); the value itself when it holds none, which costs an ordinal (vectorized) search per secret.
    /// </summary>
    public string ScrubHeader(string value) => Scrub(value, ascii: true);

    private static bool Holds(ReadOnlySpan<byte> text, byte[]? secret) => secret is not null && text.IndexOf(secret) >= 0;

    private bool HoldsHeaderSecret(ReadOnlySpan<byte> text)
    {
        foreach (var secret in _headers.Utf8)
        {
            if (text.IndexOf(secret) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    private string Scrub(string text, bool ascii = false)
    {
        foreach (var secret in (ReadOnlySpan<string?>)[_upstreamKey, _clientKey, _secondClientKey])
        {
            text = Masked(text, secret, ascii);
        }
        foreach (var secret in _headers.Values)
        {
            text = Masked(text, secret, ascii);
        }
        return text;
    }

    /// <summary>Searched first, so a text without the secret costs no mask (a string each) on the header path.</summary>
    private static string Masked(string text, string? secret, bool ascii) =>
        secret is not null && text.Contains(secret, StringComparison.Ordinal)
            ? text.Replace(secret, ascii ? SecretMask.AsciiMask(secret) : SecretMask.Mask(secret), StringComparison.Ordinal)
            : text;
}
