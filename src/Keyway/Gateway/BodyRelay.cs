using System.Buffers;
using System.IO.Pipelines;

namespace Keyway.Gateway;

/// <summary>
/// Copies a non-SSE upstream body (binary audio) to the client as the bytes arrive, through one pooled buffer; the
/// idle timeout is pushed back after every read, and each write waits for the client no longer than the client stall
/// timeout (<see cref="ClientWrite"/>). Blames the side that was in flight, as <see cref="SseRelay"/> does.
/// </summary>
internal static class BodyRelay
{
    private const int BufferSize = ClientWrite.PieceBytes;

    public static async ValueTask<(CopyResult Result, Exception? Error)> CopyAsync(
        Stream upstream, PipeWriter client, Action onWrite, CancellationTokenSource idle, RelayTimeouts timeouts, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var (read, failure, error) = await UpstreamRead.NextAsync(upstream, buffer, cancellationToken);
                if (failure is { } result)
                {
                    return (result, error);
                }
                if (read == 0)
                {
                    return (CopyResult.Success, null);
                }
                idle.CancelAfter(timeouts.Upstream);
                onWrite();
                var written = await ClientWrite.WriteAsync(client, buffer.AsMemory(0, read), idle, timeouts, cancellationToken);
                if (written != CopyResult.Success)
                {
                    return (written, null);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
