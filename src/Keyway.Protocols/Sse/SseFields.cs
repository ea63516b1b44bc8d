namespace Keyway.Protocols.Sse;

/// <summary>Reads the fields of one framed event block (WHATWG "process the field"), without allocating for a single data line.</summary>
internal static class SseFields
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static SseEvent Parse(ReadOnlyMemory<byte> raw, bool atStreamStart)
    {
        var span = raw.Span;
        var position = atStreamStart && span.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        ReadOnlyMemory<byte> eventName = default;
        ReadOnlyMemory<byte> firstData = default;
        List<ReadOnlyMemory<byte>>? moreData = null;
        var dataLines = 0;

        while (position < span.Length)
        {
            var lineLength = span[position..].IndexOfAny((byte)'\r', (byte)'\n');
            if (lineLength < 0)
            {
                lineLength = span.Length - position;
            }

            var line = raw.Slice(position, lineLength);
            position = SkipLineEnd(span, position + lineLength);
            if (line.IsEmpty || line.Span[0] == (byte)':')
            {
                continue;
            }

            var (name, value) = SplitField(line);
            if (name.Span.SequenceEqual("data"u8))
            {
                if (dataLines++ == 0)
                {
                    firstData = value;
                }
                else
                {
                    (moreData ??= []).Add(value);
                }
            }
            else if (name.Span.SequenceEqual("event"u8))
            {
                eventName = value;
            }
        }

        var data = moreData is null ? firstData : Join(firstData, moreData);
        return new SseEvent(raw, eventName, data, dataLines > 0);
    }

    private static int SkipLineEnd(ReadOnlySpan<byte> span, int position)
    {
        if (position >= span.Length)
        {
            return position;
        }

        var isCr = span[position] == (byte)'\r';
        position++;
        return isCr && position < span.Length && span[position] == (byte)'\n' ? position + 1 : position;
    }

    private static (ReadOnlyMemory<byte> Name, ReadOnlyMemory<byte> Value) SplitField(ReadOnlyMemory<byte> line)
    {
        var colon = line.Span.IndexOf((byte)':');
        if (colon < 0)
        {
            return (line, ReadOnlyMemory<byte>.Empty);
        }

        var value = line[(colon + 1)..];
        if (!value.IsEmpty && value.Span[0] == (byte)' ')
        {
            value = value[1..];
        }

        return (line[..colon], value);
    }

    private static byte[] Join(ReadOnlyMemory<byte> first, List<ReadOnlyMemory<byte>> rest)
    {
        var length = first.Length;
        foreach (var part in rest)
        {
            length += 1 + part.Length;
        }

        var joined = new byte[length];
        first.Span.CopyTo(joined);
        var offset = first.Length;
        foreach (var part in rest)
        {
            joined[offset++] = (byte)'\n';
            part.Span.CopyTo(joined.AsSpan(offset));
            offset += part.Length;
        }

        return joined;
    }
}
