namespace Keyway.Protocols.Sse;

/// <summary>
/// One framed server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
/// The memory points into the <see cref="SseEventSplitter"/> buffer: it stays valid only until the
/// splitter's next <c>Append</c>, <c>Flush</c> or <c>Dispose</c>, so forward or observe it right away.
/// </summary>
public readonly struct SseEvent
{
    private readonly ReadOnlyMemory<byte> _eventName;

    internal SseEvent(ReadOnlyMemory<byte> raw, ReadOnlyMemory<byte> eventName, ReadOnlyMemory<byte> data, bool hasData)
    {
        Raw = raw;
        _eventName = eventName;
        Data = data;
        HasData = hasData;
    }

    /// <summary>The exact bytes of the event, its terminating blank line included; forwarding them reproduces the input.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>The value of the last <c>event:</c> field; empty when the event has none.</summary>
    public ReadOnlySpan<byte> EventName => _eventName.Span;

    /// <summary>The <c>data:</c> payload; several data lines are joined with '\n' as the WHATWG algorithm does.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>False for blocks that carry no <c>data:</c> field at all (comments, keep-alive blank lines).</summary>
    public bool HasData { get; }
}
