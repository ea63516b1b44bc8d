using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Sse;

/// <summary>
/// Incremental SSE framing for pass-through streaming: <see cref="Append"/> each chunk as it arrives, then call
/// <see cref="TryReadEvent"/> until it returns false. An event ends at a blank line; lines end in CRLF, LF or CR
/// (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream). Events may be split
/// across chunks at any byte. The buffer comes from <see cref="BytePool"/> and grows for big events.
/// Never throws on malformed input: anything that is not a field is simply not reported as one.
/// </summary>
public sealed class SseEventSplitter : IDisposable
{
    private const int InitialCapacity = 4096;

    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private int _scan;
    private bool _atLineStart = true;
    private bool _previousWasCr;
    private bool _atStreamStart = true;
    private bool _completed;

    /// <summary>Adds the next chunk of the stream. Events read before this call are no longer valid afterwards.</summary>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            return;
        }

        EnsureRoom(chunk.Length);
        chunk.CopyTo(_buffer.AsSpan(_end));
        _end += chunk.Length;
    }

    /// <summary>
    /// Marks the end of the stream. Only needed for a final event whose blank line ends in a bare CR: without it,
    /// that event waits for a possible LF that would belong to its terminator.
    /// </summary>
    public void Complete() => _completed = true;

    /// <summary>
    /// Leniency at the clean end of a stream (after <see cref="Complete"/>, once the events before were read): a trailing
    /// event that lacks only its blank line (or its last line end too) but is complete, its data a whole JSON object or
    /// Chat's <c>[DONE]</c>, gets the line ends it lacks, so <see cref="TryReadEvent"/> reads it, framed. A tail whose
    /// data breaks off is left for <see cref="Flush"/>. Returns whether the tail was framed.
    /// </summary>
    public bool FrameCompleteTail()
    {
        var tail = _buffer.AsMemory(_start, _end - _start);
        if (tail.IsEmpty || SseFields.Parse(tail, _atStreamStart) is not { HasData: true } last || !IsWholeData(last.Data.Span))
        {
            return false;
        }
        // The blank line repeats the tail's own line end (a lone CR after a CR ending the data line); no line end at all gets both.
        Append(tail.Span[^1] switch
        {
            (byte)'\n' => "\n"u8,
            (byte)'\r' => "\r"u8,
            _ => "\n\n"u8,
        });
        return true;
    }

    /// <summary>Reads the next complete event, if the buffered bytes hold one.</summary>
    public bool TryReadEvent(out SseEvent e)
    {
        var span = _buffer.AsSpan(0, _end);
        var i = _scan;
        while (i < span.Length)
        {
            // Field text runs to the next line break: skip it in one search.
            var text = span[i..].IndexOfAny((byte)'\n', (byte)'\r');
            if (text != 0)
            {
                _atLineStart = false;
                _previousWasCr = false;
                if (text < 0)
                {
                    i = span.Length;
                    break;
                }
                i += text;
            }

            var b = span[i];
            if (b == (byte)'\n' && _previousWasCr)
            {
                _previousWasCr = false;
            }
            else if (_atLineStart)
            {
                var stop = i + 1;
                if (b == (byte)'\r')
                {
                    if (stop == span.Length && !_completed)
                    {
                        break;
                    }

                    if (stop < span.Length && span[stop] == (byte)'\n')
                    {
                        stop++;
                    }
                }

                e = Dispatch(stop);
                return true;
            }
            else
            {
                _atLineStart = true;
                _previousWasCr = b == (byte)'\r';
            }

            i++;
        }

        _scan = i;
        e = default;
        return false;
    }

    /// <summary>
    /// Returns the bytes of an incomplete trailing event (to forward as they are) and empties the splitter.
    /// The memory stays valid until the next <see cref="Append"/> or <see cref="Dispose"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Flush()
    {
        var rest = _buffer.AsMemory(_start, _end - _start);
        _start = _end;
        _scan = _end;
        _atLineStart = true;
        _previousWasCr = false;
        return rest;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            BytePool.Return(_buffer);
            _buffer = [];
        }

        _start = _end = _scan = 0;
    }

    private static bool IsWholeData(ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            return true;
        }
        var reader = new Utf8JsonReader(data, isFinalBlock: true, default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private SseEvent Dispatch(int stop)
    {
        var raw = _buffer.AsMemory(_start, stop - _start);
        var parsed = SseFields.Parse(raw, _atStreamStart);
        _atStreamStart = false;
        _start = stop;
        _scan = stop;
        _atLineStart = true;
        _previousWasCr = false;
        return parsed;
    }

    private void EnsureRoom(int extra)
    {
        if (_buffer.Length - _end >= extra)
        {
            return;
        }

        var pending = _end - _start;
        var needed = pending + extra;
        var target = _buffer;
        if (_buffer.Length < needed)
        {
            target = BytePool.Rent(Math.Max(needed, Math.Max(InitialCapacity, _buffer.Length * 2)));
        }

        _buffer.AsSpan(_start, pending).CopyTo(target);
        if (!ReferenceEquals(target, _buffer) && _buffer.Length > 0)
        {
            BytePool.Return(_buffer);
        }

        _buffer = target;
        _scan -= _start;
        _start = 0;
        _end = pending;
    }
}
