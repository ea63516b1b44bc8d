using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// The bytes around the text of a stream's last plain text chunk: one choice whose delta holds a string
/// <c>content</c> or reasoning (<c>reasoning_content</c>, or <c>reasoning</c> without it), every other member
/// <see cref="ChatReader"/> reads absent or null. Most chunks of an answer differ from the one before only in that text. A chunk with the same bytes ahead of the text and after it, whose text holds
/// no quote, backslash or control character and is valid UTF-8, tokenizes exactly as the remembered one did — its
/// string ends where the other's did and needs no unescaping — so it reads as the same chunk with its own text, built
/// here without a reader (reading a content chunk was ~10% of a translated stream's CPU, bench/RESULTS.md).
/// </summary>
internal sealed class ChatTextChunkShape
{
    private static readonly SearchValues<byte> NotPlainText = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    // The chunk every text chunk is read into: ~18 of a stream's ~20 chunks are text, and four objects for each were
    // a quarter of what a translated stream allocated. Its readers keep nothing of it past the next read.
    private readonly ChatDelta _delta = new();
    private readonly ChatChunkChoice _choice = new();
    private readonly ChatChunk _chunk = new();

    private byte[] _head = [];
    private byte[] _tail = [];
    private int _choiceIndex;
    private bool _isReasoning;

    public ChatTextChunkShape()
    {
        _choice.Delta = _delta;
        _chunk.Choices.Add(_choice);
    }

    /// <summary>The chunk, when it has the remembered shape around a plain text (valid until the next read); null otherwise.</summary>
    public ChatChunk? Read(ReadOnlySpan<byte> chunk)
    {
        if (_head.Length == 0 || chunk.Length < _head.Length + _tail.Length || !chunk.StartsWith(_head) || !chunk.EndsWith(_tail))
        {
            return null;
        }
        var text = chunk[_head.Length..^_tail.Length];
        if (text.ContainsAny(NotPlainText) || !Utf8.IsValid(text))
        {
            return null;
        }
        var value = Encoding.UTF8.GetString(text);
        _delta.Content = _isReasoning ? null : value;
        _delta.ReasoningContent = _isReasoning ? value : null;
        _choice.Index = _choiceIndex;
        return _chunk;
    }

    /// <summary>Remembers the shape of <paramref name="chunk"/>, read from <paramref name="json"/>, when it is a plain text chunk of another shape.</summary>
    public void Remember(ReadOnlySpan<byte> json, ChatChunk chunk)
    {
        if (!IsPlainText(chunk, out var choiceIndex, out var isReasoning)
            || (isReasoning ? TextAt(json, "reasoning_content"u8) ?? TextAt(json, "reasoning"u8) : TextAt(json, "content"u8)) is not { } text)
        {
            return;
        }
        var head = json[..(text.Start + 1)];
        var tail = json[(text.End - 1)..];
        if (head.SequenceEqual(_head) && tail.SequenceEqual(_tail) && (choiceIndex, isReasoning) == (_choiceIndex, _isReasoning))
        {
            return;
        }
        (_head, _tail, _choiceIndex, _isReasoning) = (head.ToArray(), tail.ToArray(), choiceIndex, isReasoning);
    }

    /// <summary>One choice whose delta holds one text, content or reasoning; nothing else read but null.</summary>
    private static bool IsPlainText(ChatChunk chunk, out int choiceIndex, out bool isReasoning)
    {
        (choiceIndex, isReasoning) = (0, false);
        if (chunk is not { Usage: null, Error: null, Choices: [{ FinishReason: null, StopReason: null, MatchedStop: null, Logprobs: null } choice] }
            || choice.Delta is not { ToolCalls: null, ThinkingBlocks: null } delta
            || (delta.Content is null) == (delta.ReasoningContent is null))
        {
            return false;
        }
        (choiceIndex, isReasoning) = (choice.Index, delta.ReasoningContent is not null);
        return true;
    }

    /// <summary>Where <c>choices[0].delta.{member}</c>'s string token starts (its opening quote) and ends (after its closing quote), if it is a string.</summary>
    private static (int Start, int End)? TextAt(ReadOnlySpan<byte> json, ReadOnlySpan<byte> member)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || !Enter(ref reader, "choices"u8) || !reader.Read() || reader.TokenType != JsonTokenType.StartArray
            || !reader.Read() || reader.TokenType != JsonTokenType.StartObject || !Enter(ref reader, "delta"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.StartObject || !Enter(ref reader, member)
            || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return null;
        }
        var start = (int)reader.TokenStartIndex;
        return (start, start + reader.ValueSpan.Length + 2);
    }

    /// <summary>Moves to the member <paramref name="name"/> of the object just started, skipping the members before it.</summary>
    private static bool Enter(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                return true;
            }
            reader.Read();
            reader.Skip();
        }
        return false;
    }
}
