using System.Buffers;
using System.IO.Pipelines;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Translation;
using Keyway.Security;

namespace Keyway.Gateway;

/// <summary>How a copy ended, blaming the side that was in flight (as YARP's StreamCopier does).</summary>
internal enum CopyResult
{
    Success,
    InputError,
    OutputError,
    Canceled,

    /// <summary>The client took nothing for the stall timeout while a write waited on it (its buffers full): it stopped reading.</summary>
    OutputStalled,
}

/// <summary>
/// A relay's timeouts on its one per-attempt timer: <paramref name="Upstream"/> after each read (the provider's timeout),
/// <paramref name="ClientStall"/> while a write waits for the client to take what was sent (null: no bound).
/// </summary>
internal readonly record struct RelayTimeouts(TimeSpan Upstream, TimeSpan? ClientStall);

/// <summary>
/// Copies an upstream SSE stream to the client event by event, as the bytes arrive: each complete event is shown to the
/// watcher (usage, finish reason) and, unless the watcher hides it, written unchanged. What was written is flushed as
/// soon as the upstream has nothing more ready to read (the next read did not complete at once), so events that
/// arrived together leave in one send and an event is never held back waiting for the upstream (onWrite runs before
/// each flush: the first one stamps the TTFB). When the upstream has ended, what the last reads brought is left in the
/// writer for the caller, who ends the response with it: the last events and the response's own end (HTTP/1.1's last
/// chunk) then leave in one send instead of two. The idle timeout is pushed back after every read, so a long but
/// lively stream is never cut while a stalled one is. An event that holds one of the exchange's secrets (an upstream's
/// error event echoing the key it was given) is scrubbed before anything reads it, so neither the client, the
/// translator nor the watcher (whose error message reaches the log) ever sees the secret. What waits unflushed is
/// flushed at <see cref="KeptBatchBytes"/> even while the upstream has more ready, so a client that does not read holds
/// that much, not the whole answer, and its stall shows: a flush that waits on the client is bounded by
/// <see cref="RelayTimeouts.ClientStall"/> on the same timer (<see cref="ClientWrite"/>).
/// </summary>
internal static class SseRelay
{
    private const int BufferSize = 16 * 1024;

    // A batch grown past this by one large read is dropped afterwards, so the thread does not keep it.
    private const int KeptBatchBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_batch;

    public static async ValueTask<(CopyResult Result, Exception? Error)> CopyAsync(
        Stream upstream, PipeWriter client, IStreamWatcher watcher, IStreamTranslator? translator, SecretScrubber secrets, Action onWrite, CancellationTokenSource idle,
        RelayTimeouts timeouts, CancellationToken cancellationToken)
    {
        using var splitter = new SseEventSplitter();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        ArrayBufferWriter<byte>? opening = null;
        try
        {
            var unflushed = false;
            while (true)
            {
                var next = UpstreamRead.NextAsync(upstream, buffer, cancellationToken);
                if (opening is not null && !next.IsCompleted)
                {
                    var pendingRead = next.AsTask();
                    next = new(pendingRead);
                    if (await watcher.ReleasesOpeningBefore(pendingRead))
                    {
                        client.Write(opening.WrittenSpan);
                        opening = null;
                        unflushed = true;
                    }
                }
                if (unflushed && (!next.IsCompleted || (client.CanGetUnflushedBytes && client.UnflushedBytes >= KeptBatchBytes)))
                {
                    var flushed = await FlushAsync(client, onWrite, idle, timeouts, cancellationToken);
                    if (flushed != CopyResult.Success)
                    {
                        // The read in flight fills the pooled buffer: it must end before the buffer goes back.
                        idle.Cancel();
                        await next;
                        return (flushed, null);
                    }
                    unflushed = false;
                }
                var (read, failure, error) = await next;
                if (failure is { } result)
                {
                    // What the earlier reads brought still reaches the client, ahead of the error the caller writes.
                    if (unflushed)
                    {
                        await FlushAsync(client, onWrite, idle, timeouts, cancellationToken);
                    }
                    return (result, error);
                }
                idle.CancelAfter(timeouts.Upstream);
                if (read > 0)
                {
                    splitter.Append(buffer.AsSpan(0, read));
                }
                else
                {
                    splitter.Complete();
                }
                unflushed |= WriteBatch(splitter, watcher, translator, secrets, ended: read == 0, client, ref opening);
                // A translated answer is whole once the translator wrote its last event (a stored Responses turn's
                // response.completed is held for the caller to store): it ends there, not when an upstream that lingers
                // after its last event closes.
                if (read == 0 || translator is { Finished: true })
                {
                    if (unflushed)
                    {
                        onWrite();
                    }
                    return (CopyResult.Success, null);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Writes what one read brought to the client in one piece: it is gathered in a buffer kept per thread first, as each
    /// write to Kestrel's response writer takes a lock, and a translated event is written in five pieces. While the
    /// watcher holds the stream's opening back, what passed is kept in <paramref name="opening"/> instead and goes out
    /// ahead of the first batch the watcher lets through (or once the watcher ends the hold while the upstream is silent:
    /// <see cref="IStreamWatcher.ReleasesOpeningBefore"/>); a stream that ends or fails while held back wrote nothing.
    /// </summary>
    private static bool WriteBatch(
        SseEventSplitter splitter, IStreamWatcher watcher, IStreamTranslator? translator, SecretScrubber secrets, bool ended, PipeWriter client,
        ref ArrayBufferWriter<byte>? opening)
    {
        var batch = t_batch ??= new ArrayBufferWriter<byte>(BufferSize);
        try
        {
            var wrote = WriteEvents(splitter, watcher, translator, secrets, batch);
            // An upstream that closed cleanly after a complete last event but before its blank line (the SSE format
            // would drop that event) ended its answer all the same: the event is read, and reaches the client framed.
            if (ended && splitter.FrameCompleteTail())
            {
                wrote |= WriteEvents(splitter, watcher, translator, secrets, batch);
            }
            // Only once the events are read: a last event whose blank line is a bare CR at the very end is complete
            // once the stream ended (the splitter waited for an LF that might have followed), and a flush taken before
            // would have passed it on as bytes, unseen by the watcher, so a whole stream looked broken off.
            if (ended && translator is null)
            {
                wrote |= WriteTail(secrets.Scrub(splitter.Flush()), batch);
            }
            if (watcher.HoldsBack)
            {
                if (batch.WrittenCount > 0)
                {
                    (opening ??= new ArrayBufferWriter<byte>()).Write(batch.WrittenSpan);
                }
                return false;
            }
            if (opening is not null)
            {
                client.Write(opening.WrittenSpan);
                opening = null;
                wrote = true;
            }
            if (batch.WrittenCount > 0)
            {
                client.Write(batch.WrittenSpan);
            }
            return wrote;
        }
        finally
        {
            if (batch.Capacity > KeptBatchBytes)
            {
                t_batch = null;
            }
            batch.ResetWrittenCount();
        }
    }

    /// <summary>Each complete event goes to the watcher, then to the client: as is, or through the translator.</summary>
    private static bool WriteEvents(SseEventSplitter splitter, IStreamWatcher watcher, IStreamTranslator? translator, SecretScrubber secrets, IBufferWriter<byte> client)
    {
        var wrote = false;
        while (splitter.TryReadEvent(out var sseEvent))
        {
            // A translator parses the event, whose text a bad UTF-8 byte would drop whole: it reads the event repaired.
            var repair = translator is not null && Utf8Repair.IsNeeded(sseEvent.Raw.Span);
            wrote |= secrets.Finds(sseEvent.Raw.Span) || repair
                ? WriteScrubbed(Repaired(secrets.Scrub(sseEvent.Raw), repair), watcher, translator, client)
                : WriteEvent(sseEvent, watcher, translator, client);
        }
        return wrote;
    }

    private static ReadOnlyMemory<byte> Repaired(ReadOnlyMemory<byte> raw, bool repair) => repair ? Utf8Repair.Repaired(raw.Span) : raw;

    private static bool WriteScrubbed(ReadOnlyMemory<byte> scrubbed, IStreamWatcher watcher, IStreamTranslator? translator, IBufferWriter<byte> client)
    {
        using var splitter = new SseEventSplitter();
        splitter.Append(scrubbed.Span);
        splitter.Complete();
        var wrote = false;
        while (splitter.TryReadEvent(out var sseEvent))
        {
            wrote |= WriteEvent(sseEvent, watcher, translator, client);
        }
        return wrote;
    }

    private static bool WriteEvent(in SseEvent sseEvent, IStreamWatcher watcher, IStreamTranslator? translator, IBufferWriter<byte> client)
    {
        if (!watcher.Observe(sseEvent))
        {
            return false;
        }
        if (translator is null)
        {
            client.Write(sseEvent.Raw.Span);
        }
        else
        {
            translator.OnEvent(sseEvent, client);
        }
        return true;
    }

    private static bool WriteTail(ReadOnlyMemory<byte> tail, IBufferWriter<byte> client)
    {
        if (tail.IsEmpty)
        {
            return false;
        }
        client.Write(tail.Span);
        return true;
    }

    private static ValueTask<CopyResult> FlushAsync(
        PipeWriter client, Action onWrite, CancellationTokenSource idle, RelayTimeouts timeouts, CancellationToken cancellationToken)
    {
        onWrite();
        return ClientWrite.FlushAsync(client, idle, timeouts, cancellationToken);
    }
}
