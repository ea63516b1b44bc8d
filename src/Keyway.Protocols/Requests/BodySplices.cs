namespace Keyway.Protocols;

/// <summary>
/// Non-overlapping replacements of byte ranges, applied in offset order; at equal offsets the one added first comes
/// first (so an inserted "model" precedes an inserted "stream_options").
/// </summary>
internal struct BodySplices
{
    private List<Splice>? _splices;

    public readonly int Count => _splices?.Count ?? 0;

    public void Add(int start, int end, byte[] replacement)
    {
        _splices ??= new List<Splice>(2);
        var index = _splices.Count;
        while (index > 0 && _splices[index - 1].Start > start)
        {
            index--;
        }

        _splices.Insert(index, new Splice(start, end, replacement));
    }

    /// <summary>The length of <paramref name="bodyLength"/> bytes once the splices are applied.</summary>
    public readonly int LengthAfter(int bodyLength)
    {
        var length = bodyLength;
        foreach (var splice in _splices ?? [])
        {
            length += splice.Replacement.Length - (splice.End - splice.Start);
        }
        return length;
    }

    /// <summary>The edited body as consecutive pieces: slices of <paramref name="body"/> and the replacements between them.</summary>
    public readonly IEnumerable<ReadOnlyMemory<byte>> Pieces(ReadOnlyMemory<byte> body)
    {
        var read = 0;
        foreach (var splice in _splices ?? [])
        {
            yield return body[read..splice.Start];
            yield return splice.Replacement;
            read = splice.End;
        }
        yield return body[read..];
    }

    public readonly byte[] ApplyTo(ReadOnlyMemory<byte> body)
    {
        // Every byte is written below: a request the size Claude Code sends is not worth clearing first.
        var result = GC.AllocateUninitializedArray<byte>(LengthAfter(body.Length));
        var written = 0;
        foreach (var piece in Pieces(body))
        {
            piece.Span.CopyTo(result.AsSpan(written));
            written += piece.Length;
        }
        return result;
    }

    private readonly record struct Splice(int Start, int End, byte[] Replacement);
}
