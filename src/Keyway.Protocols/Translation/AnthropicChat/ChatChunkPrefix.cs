namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// The bytes the chunks of one stream repeat ahead of the first member <see cref="ChatReader"/> reads. OpenAI, and the
/// servers that copy its stream, start every chunk of an answer with the same <c>id</c>, <c>object</c>,
/// <c>created</c>, <c>model</c> and <c>system_fingerprint</c>: two thirds of a content chunk's bytes, which the reader
/// tokenized only to skip them. Once a chunk was read whole, a later chunk that starts with the same bytes, followed by
/// a member name, is read as <c>{</c> plus the rest: the same bytes tokenize the same way, so the reader stands in the
/// same place either way (inside the top-level object, about to read a member name, with none of its members met).
/// </summary>
internal sealed class ChatChunkPrefix
{
    private byte[] _bytes = [];

    /// <summary>The prefix's length when <paramref name="chunk"/> starts with it and a member name follows; 0 otherwise.</summary>
    public int LengthIn(ReadOnlySpan<byte> chunk) =>
        _bytes.Length > 0 && chunk.Length > _bytes.Length && chunk[_bytes.Length] == (byte)'"' && chunk.StartsWith(_bytes)
            ? _bytes.Length
            : 0;

    /// <summary>
    /// Remembers the bytes of a chunk that was read whole ahead of <paramref name="firstReadMember"/> (the offset of the
    /// first read member's name) when at least one member precedes it; otherwise nothing is remembered.
    /// </summary>
    public void Remember(ReadOnlySpan<byte> chunk, int firstReadMember)
    {
        var prefix = chunk[..firstReadMember];
        if (prefix.TrimEnd(" \t\r\n"u8) is not [.., (byte)','])
        {
            _bytes = [];
            return;
        }
        if (!prefix.SequenceEqual(_bytes))
        {
            _bytes = prefix.ToArray();
        }
    }
}
