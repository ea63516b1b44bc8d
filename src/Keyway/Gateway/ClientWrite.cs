using System.Buffers;
using System.IO.Pipelines;

namespace Keyway.Gateway;

/// <summary>
/// Writes to a client bounded by <see cref="RelayTimeouts.ClientStall"/> on the attempt's one timer: a flush that does
/// not complete at once waits on the client (its buffers are full), and a client that takes nothing for the stall timeout
/// is <see cref="CopyResult.OutputStalled"/>. Kestrel's minimum data rate misses such a client: every byte written to its
/// buffers earns the client time at the minimum rate, so a large answer handed over in one write would let a client that
/// never reads hold the upstream call and the key's place for hours. Used by the stream relay (<see cref="SseRelay"/>),
/// binary bodies (<see cref="BodyRelay"/>) and whole answers alike.
/// </summary>
internal static class ClientWrite
{
    /// <summary>The most one flush hands to the client's buffers, so each wait on the client is for a piece of this size at most.</summary>
    public const int PieceBytes = 64 * 1024;

    /// <summary>
    /// <paramref name="body"/> in pieces of <see cref="PieceBytes"/>, each flushed by <see cref="FlushAsync"/>: one write
    /// and one flush that completes at once for a body the client's buffers take whole (nearly every answer).
    /// </summary>
    public static async ValueTask<CopyResult> WriteAsync(
        PipeWriter client, ReadOnlyMemory<byte> body, CancellationTokenSource idle, RelayTimeouts timeouts, CancellationToken cancellationToken)
    {
        while (true)
        {
            var piece = body[..Math.Min(PieceBytes, body.Length)];
            try
            {
                client.Write(piece.Span);
            }
            catch (InvalidOperationException)
            {
                return CopyResult.OutputError;
            }
            body = body[piece.Length..];
            var flushed = await FlushAsync(client, idle, timeouts, cancellationToken);
            if (flushed != CopyResult.Success || body.IsEmpty)
            {
                return flushed;
            }
        }
    }

    /// <summary>
    /// A flush that does not complete at once waits on the client: the timer then bounds that wait by the client stall
    /// timeout, and the upstream's idle timeout starts again once the client took the bytes.
    /// </summary>
    public static async ValueTask<CopyResult> FlushAsync(PipeWriter client, CancellationTokenSource idle, RelayTimeouts timeouts, CancellationToken cancellationToken)
    {
        var waited = false;
        try
        {
            var flush = client.FlushAsync(cancellationToken);
            if (!flush.IsCompleted && timeouts.ClientStall is { } stall)
            {
                waited = true;
                idle.CancelAfter(stall);
            }
            var result = await flush;
            if (waited)
            {
                idle.CancelAfter(timeouts.Upstream);
            }
            return result.IsCanceled || result.IsCompleted ? CopyResult.OutputError : CopyResult.Success;
        }
        catch (OperationCanceledException)
        {
            return waited ? CopyResult.OutputStalled : CopyResult.Canceled;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return CopyResult.OutputError;
        }
    }
}
