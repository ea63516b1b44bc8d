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

    public readonly byte[] ApplyTo(ReadOnlySpan<byte> body)
    {
        var splices = _splices ?? [];
        var length = body.Length;
        foreach (var splice in splices)
        {
            length += splice.Replacement.Length - (splice.End - splice.Start);
        }

        // Every byte is written below: a request the size Claude Code sends is not worth clearing first.
        var result = GC.AllocateUninitializedArray<byte>(length);
        var read = 0;
        var written = 0;
        foreach (var splice in splices)
        {
            body[read..splice.Start].CopyTo(result.AsSpan(written));
            written += splice.Start - read;
            splice.Replacement.CopyTo(result.AsSpan(written));
            written += splice.Replacement.Length;
            read = splice.End;
        }

        body[read..].CopyTo(result.AsSpan(written));
        return result;
    }

    private readonly record struct Splice(int Start, int End, byte[] Replacement);
}
