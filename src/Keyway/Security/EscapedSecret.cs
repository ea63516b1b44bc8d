using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Keyway.Security;

/// <summary>
/// A secret holding a character that JSON writers escape (<c>/</c> as <c>\/</c> in PHP, <c>+</c> as <c>\u002B</c> in
/// .NET, <c>&lt;</c>, <c>&amp;</c>, <c>'</c>, a quote or backslash, a control or non-ASCII character as <c>\uXXXX</c>), so an
/// upstream's JSON may echo it in a form the plain search misses. It is looked for only in text holding a backslash,
/// from its longest run of characters no writer escapes (the anchor), each character around it matched raw or escaped
/// (either hex case): a secret of letters, digits, '-' and '_' (nearly every API key) never gets one. A non-ASCII
/// character matches in its <c>\uXXXX</c> form only.
/// </summary>
internal sealed class EscapedSecret
{
    private static readonly SearchValues<char> MayBeEscaped = SearchValues.Create("\"\\/+<>&'`");

    private readonly string _secret;
    private readonly byte[] _anchor;
    private readonly int _anchorStart;

    /// <summary>The mask written in place of an escaped echo, itself valid inside a JSON string.</summary>
    public byte[] Mask { get; }

    private EscapedSecret(string secret, int anchorStart, int anchorLength)
    {
        _secret = secret;
        _anchorStart = anchorStart;
        _anchor = [.. secret.AsSpan(anchorStart, anchorLength).ToArray().Select(c => (byte)c)];
        Mask = JsonEncodedText.Encode(SecretMask.Mask(secret), JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
    }

    /// <summary>Null for a secret no JSON writer changes, or one without any character that is never escaped to search from.</summary>
    public static EscapedSecret? Of(string? secret)
    {
        if (secret is null || !secret.AsSpan().ContainsAny(MayBeEscaped) && !secret.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            return null;
        }
        var (bestStart, bestLength) = (0, 0);
        for (var start = 0; start < secret.Length;)
        {
            var length = 0;
            while (start + length < secret.Length && NeverEscaped(secret[start + length]))
            {
                length++;
            }
            if (length > bestLength)
            {
                (bestStart, bestLength) = (start, length);
            }
            start += length + 1;
        }
        return bestLength == 0 ? null : new EscapedSecret(secret, bestStart, bestLength);
    }

    /// <summary>The first echo in <paramref name="text"/> from <paramref name="from"/> on, as its start and end, or null.</summary>
    public (int Start, int End)? FindIn(ReadOnlySpan<byte> text, int from = 0)
    {
        var before = _secret.AsSpan(0, _anchorStart);
        var after = _secret.AsSpan(_anchorStart + _anchor.Length);
        while (from < text.Length && text[from..].IndexOf(_anchor) is var found and >= 0)
        {
            var at = from + found;
            if (MatchBefore(text, at, before) is { } start && MatchAfter(text, at + _anchor.Length, after) is { } end)
            {
                return (start, end);
            }
            from = at + 1;
        }
        return null;
    }

    private static bool NeverEscaped(char c) => c is >= ' ' and <= '~' && !MayBeEscaped.Contains(c);

    private static int? MatchAfter(ReadOnlySpan<byte> text, int at, ReadOnlySpan<char> expected)
    {
        foreach (var c in expected)
        {
            var rest = text[at..];
            if (rest.Length >= 6 && rest[0] == '\\' && rest[1] == 'u' && Hex(rest[2..6]) == c)
            {
                at += 6;
            }
            else if (rest.Length >= 2 && rest[0] == '\\' && Unescaped(rest[1]) == c)
            {
                at += 2;
            }
            else if (rest.Length >= 1 && c is < (char)0x80 and not '\\' && rest[0] == c)
            {
                at++;
            }
            else
            {
                return null;
            }
        }
        return at;
    }

    private static int? MatchBefore(ReadOnlySpan<byte> text, int end, ReadOnlySpan<char> expected)
    {
        for (var i = expected.Length - 1; i >= 0; i--)
        {
            var c = expected[i];
            var head = text[..end];
            if (head.Length >= 6 && head[^6] == '\\' && head[^5] == 'u' && Hex(head[^4..]) == c)
            {
                end -= 6;
            }
            else if (head.Length >= 2 && head[^2] == '\\' && Unescaped(head[^1]) == c)
            {
                end -= 2;
            }
            else if (head.Length >= 1 && c is < (char)0x80 and not '\\' && head[^1] == c)
            {
                end--;
            }
            else
            {
                return null;
            }
        }
        return end;
    }

    private static char? Unescaped(byte escape) => escape switch
    {
        (byte)'"' => '"',
        (byte)'\\' => '\\',
        (byte)'/' => '/',
        (byte)'b' => '\b',
        (byte)'f' => '\f',
        (byte)'n' => '\n',
        (byte)'r' => '\r',
        (byte)'t' => '\t',
        _ => null,
    };

    private static int Hex(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            var nibble = digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0)
            {
                return -1;
            }
            value = (value << 4) | nibble;
        }
        return value;
    }
}
