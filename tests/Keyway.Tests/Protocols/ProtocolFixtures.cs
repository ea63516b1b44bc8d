using System.Text;
using Keyway.Protocols.Sse;

namespace Keyway.Tests.Protocols;

/// <summary>Loads the wire-format fixtures under Fixtures/ and frames SSE fixtures into comparable events.</summary>
internal static class ProtocolFixtures
{
    public static byte[] Bytes(string relativePath) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath));

    /// <summary>A JSON fixture without its leading <c>// source:</c> line(s).</summary>
    public static byte[] Json(string relativePath)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath));
        var json = string.Join('\n', lines.SkipWhile(line => line.StartsWith("//", StringComparison.Ordinal)));
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>An SSE fixture with its LF line endings turned into <paramref name="lineEnding"/>.</summary>
    public static byte[] Sse(string relativePath, string lineEnding = "\n")
    {
        var text = Encoding.UTF8.GetString(Bytes(relativePath)).Replace("\r\n", "\n", StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text.Replace("\n", lineEnding, StringComparison.Ordinal));
    }

    /// <summary>Feeds <paramref name="stream"/> to a splitter in chunks of the given sizes and copies out every event.</summary>
    public static (List<FramedEvent> Events, byte[] Trailing) Frame(byte[] stream, IEnumerable<int> chunkSizes, bool complete = true)
    {
        using var splitter = new SseEventSplitter();
        var events = new List<FramedEvent>();
        var offset = 0;
        foreach (var size in chunkSizes)
        {
            var length = Math.Min(size, stream.Length - offset);
            splitter.Append(stream.AsSpan(offset, length));
            offset += length;
            Drain(splitter, events);
            if (offset == stream.Length)
            {
                break;
            }
        }

        splitter.Append(stream.AsSpan(offset));
        Drain(splitter, events);
        if (complete)
        {
            splitter.Complete();
            Drain(splitter, events);
        }

        return (events, splitter.Flush().ToArray());
    }

    public static (List<FramedEvent> Events, byte[] Trailing) FrameWhole(byte[] stream) => Frame(stream, [stream.Length]);

    /// <summary>Every SSE event of a fixture, in order, framed in one piece.</summary>
    public static List<SseEvent> Events(byte[] stream)
    {
        var splitter = new SseEventSplitter();
        splitter.Append(stream);
        splitter.Complete();
        var events = new List<SseEvent>();
        while (splitter.TryReadEvent(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    private static void Drain(SseEventSplitter splitter, List<FramedEvent> events)
    {
        while (splitter.TryReadEvent(out var e))
        {
            events.Add(FramedEvent.From(e));
        }
    }
}

/// <summary>A copied-out <see cref="SseEvent"/>, comparable by value.</summary>
internal sealed record FramedEvent(string Raw, string Name, string Data, bool HasData)
{
    public static FramedEvent From(in SseEvent e) => new(
        Encoding.UTF8.GetString(e.Raw.Span),
        Encoding.UTF8.GetString(e.EventName),
        Encoding.UTF8.GetString(e.Data.Span),
        e.HasData);
}
