using System.Text;
using System.Text.Unicode;

namespace Keyway.Gateway;

/// <summary>
/// An upstream's answer made valid UTF-8 before a translator parses it: a vendor that cuts a character in two (or sends
/// other bytes that are no UTF-8) would otherwise have the whole answer refused, or a streamed event's text dropped, by a
/// JSON reader that rejects such a string. Its bad bytes become U+FFFD, as a client reading the passed-through answer
/// shows them. A valid body (every answer but these) is only checked, vectorized, and not copied.
/// </summary>
internal static class Utf8Repair
{
    public static bool IsNeeded(ReadOnlySpan<byte> utf8) => !Utf8.IsValid(utf8);

    public static byte[] Of(byte[] utf8) => IsNeeded(utf8) ? Repaired(utf8) : utf8;

    public static byte[] Repaired(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(utf8));
}
