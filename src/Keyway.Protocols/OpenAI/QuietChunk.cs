using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Keyway.Protocols.OpenAI;

/// <summary>
/// Tells from a Chat stream chunk's bytes alone that it holds no usage, error or finish reason, as most chunks (content
/// deltas) do: neither "usage" nor "error" appears in it, "finish_reason" only as <c>"finish_reason":null</c>, and it
/// has no backslash (with which a member name could be spelled otherwise). Anything else is parsed by the caller.
/// One vectorized pass looks for all four at once, each by its first byte and one further on (as
/// <c>SpanHelpers.IndexOf</c> does for a single needle), and checks each candidate exactly: a search per needle, and
/// two counts for finish_reason, were ~3% of the CPU of a streamed OpenAI call (bench/RESULTS.md).
/// </summary>
internal static class QuietChunk
{
    private const int UsageOffset = 4;        // "usage": 'u' … 'e'
    private const int ErrorOffset = 4;        // "error": 'e' … 'r'
    private const int FinishReasonOffset = 12; // "finish_reason": 'f' … 'n'

    public static bool Is(ReadOnlySpan<byte> chunk)
    {
        ref var start = ref MemoryMarshal.GetReference(chunk);
        var at = 0;
        // Each round reads 16 bytes at `at` and the 16 at `at` + 12 (finish_reason's last byte), so it stops that short.
        for (var lastRound = chunk.Length - FinishReasonOffset - Vector128<byte>.Count; at <= lastRound; at += Vector128<byte>.Count)
        {
            var first = Vector128.LoadUnsafe(ref start, (nuint)at);
            var fourOn = Vector128.LoadUnsafe(ref start, (nuint)(at + UsageOffset));
            var twelveOn = Vector128.LoadUnsafe(ref start, (nuint)(at + FinishReasonOffset));
            var candidates = Vector128.Equals(first, Vector128.Create((byte)'\\'))
                | (Vector128.Equals(first, Vector128.Create((byte)'u')) & Vector128.Equals(fourOn, Vector128.Create((byte)'e')))
                | (Vector128.Equals(first, Vector128.Create((byte)'e')) & Vector128.Equals(fourOn, Vector128.Create((byte)'r')))
                | (Vector128.Equals(first, Vector128.Create((byte)'f')) & Vector128.Equals(twelveOn, Vector128.Create((byte)'n')));
            for (var found = candidates.ExtractMostSignificantBits(); found != 0; found &= found - 1)
            {
                if (!QuietAt(chunk, at + BitOperations.TrailingZeroCount(found)))
                {
                    return false;
                }
            }
        }

        for (; at < chunk.Length; at++)
        {
            if (!QuietAt(chunk, at))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>False when a backslash, "usage" or "error" starts at <paramref name="at"/>, or a "finish_reason" that is not <c>"finish_reason":null</c>.</summary>
    private static bool QuietAt(ReadOnlySpan<byte> chunk, int at)
    {
        var rest = chunk[at..];
        return rest[0] switch
        {
            (byte)'\\' => false,
            (byte)'u' => !rest.StartsWith("usage"u8),
            (byte)'e' => !rest.StartsWith("error"u8),
            (byte)'f' => !rest.StartsWith("finish_reason"u8)
                || (at > 0 && chunk[at - 1] == (byte)'"' && rest[(FinishReasonOffset + 1)..].StartsWith("\":null"u8)),
            _ => true,
        };
    }
}
