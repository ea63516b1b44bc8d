using System.Buffers;
using System.IO.Pipelines;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Translation;

namespace Keyway.Gateway;

/// <summary>How a copy ended, blaming the side that was in flight (as YARP's StreamCopier does).</summary>
internal enum CopyResult
{
    Success,
    InputError,
    OutputError,
    Canceled,
}

/// <summary>
/// Copies an upstream SSE stream to the client event by event, as the bytes arrive: each complete
/// event is shown to the watcher (usage, finish reason) and, unless the watcher hides it, written
/// unchanged and flushed (onWrite runs before each flush: the first one stamps the TTFB). The idle timeout is pushed back after every read, so a long but lively
/// stream is never cut while a stalled one is.
/// </summary>
internal static class SseRelay
{
    private const int BufferSize = 16 * 1024;

    public static async ValueTask<(CopyResult Result, Exception? Error)> CopyAsync(
        Stream upstream, PipeWriter client, IStreamWatcher watcher, IStreamTranslator? translator, Action onWrite, CancellationTokenSource idle, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        using var splitter = new SseEventSplitter();
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
                idle.CancelAfter(idleTimeout);
                if (read > 0)
                {
                    splitter.Append(buffer.AsSpan(0, read));
                }
                else
                {
                    splitter.Complete();
                }
                var tail = read == 0 ? splitter.Flush() : ReadOnlyMemory<byte>.Empty;
                var wrote = WriteEvents(splitter, watcher, translator, client) | (translator is null && WriteTail(tail, client));
                if (wrote)
                {
                    onWrite();
                    var flushed = await FlushAsync(client, cancellationToken);
                    if (flushed != CopyResult.Success)
                    {
                        return (flushed, null);
                    }
                }
                if (read == 0)
                {
                    return (CopyResult.Success, null);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Each complete event goes to the watcher, then to the client: as is, or through the translator.</summary>
    private static bool WriteEvents(SseEventSplitter splitter, IStreamWatcher watcher, IStreamTranslator? translator, PipeWriter client)
    {
        var wrote = false;
        while (splitter.TryReadEvent(out var sseEvent))
        {
            if (!watcher.Observe(sseEvent))
            {
                continue;
            }
            if (translator is null)
            {
                client.Write(sseEvent.Raw.Span);
            }
            else
            {
                translator.OnEvent(sseEvent, client);
            }
            wrote = true;
        }
        return wrote;
    }

    private static bool WriteTail(ReadOnlyMemory<byte> tail, PipeWriter client)
    {
        if (tail.IsEmpty)
        {
            return false;
        }
        client.Write(tail.Span);
        return true;
    }

    private static async ValueTask<CopyResult> FlushAsync(PipeWriter client, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.FlushAsync(cancellationToken);
            return result.IsCanceled || result.IsCompleted ? CopyResult.OutputError : CopyResult.Success;
        }
        catch (OperationCanceledException)
        {
            return CopyResult.Canceled;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return CopyResult.OutputError;
        }
    }
}
