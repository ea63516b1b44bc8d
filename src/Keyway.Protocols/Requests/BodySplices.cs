namespace Keyway.Protocols;

/// <summary>
/// At most two non-overlapping replacements of byte ranges, applied in offset order; at equal offsets the one
/// added first comes first (so an inserted "model" precedes an inserted "stream_options").
/// </summary>
internal struct BodySplices
{
    private Splice _first;
    private Splice _second;
    private int _count;

    public void Add(int start, int end, byte[] replacement)
    {
        var splice = new Splice(start, end, replacement);
        if (_count == 0)
        {
            _first = splice;
        }
        else if (start < _first.Start)
        {
            _second = _first;
            _first = splice;
        }
        else
        {
            _second = splice;
        }

        _count++;
    }

    public readonly byte[] ApplyTo(ReadOnlySpan<byte> body)
    {
        var length = body.Length;
        for (var i = 0; i < _count; i++)
        {
            var splice = i == 0 ? _first : _second;
            length += splice.Replacement.Length - (splice.End - splice.Start);
        }

        var result = new byte[length];
        var read = 0;
        var written = 0;
        for (var i = 0; i < _count; i++)
        {
            var splice = i == 0 ? _first : _second;
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
