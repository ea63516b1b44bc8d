using System.Buffers;

namespace Keyway.Gateway;

/// <summary>
/// Copies a non-SSE upstream body (binary audio) to the client as the bytes arrive, through one pooled buffer; the
/// idle timeout is pushed back after every read. Blames the side that was in flight, as <see cref="SseRelay"/> does.
/// </summary>
internal static class BodyRelay
{
    private const int BufferSize = 64 * 1024;

    public static async ValueTask<(CopyResult Result, Exception? Error)> CopyAsync(
        Stream upstream, Stream client, Action onWrite, CancellationTokenSource idle, TimeSpan idleTimeout, CancellationToken cancellationToken)
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
                idle.CancelAfter(idleTimeout);
                try
                {
                    onWrite();
                    await client.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    await client.FlushAsync(cancellationToken);
                }
                catch (OperationCanceledException e)
                {
                    return (CopyResult.Canceled, e);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    return (CopyResult.OutputError, e);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
