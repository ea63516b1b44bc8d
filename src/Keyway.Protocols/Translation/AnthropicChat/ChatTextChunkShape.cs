using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// The bytes around the text of a stream's last plain text chunk: one choice whose delta holds a string
/// <c>content</c>, every other member <see cref="ChatReader"/> reads absent or null. Most chunks of an answer differ
/// from the one before only in that text. A chunk with the same bytes ahead of the text and after it, whose text holds
/// no quote, backslash or control character and is valid UTF-8, tokenizes exactly as the remembered one did — its
/// string ends where the other's did and needs no unescaping — so it reads as the same chunk with its own text, built
/// here without a reader (reading a content chunk was ~10% of a translated stream's CPU, bench/RESULTS.md).
/// </summary>
internal sealed class ChatTextChunkShape
{
    private static readonly SearchValues<byte> NotPlainText = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    private byte[] _head = [];
    private byte[] _tail = [];
    private int _choiceIndex;

    /// <summary>The chunk, when it has the remembered shape around a plain text; null otherwise.</summary>
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
        return new ChatChunk { Choices = [new ChatChunkChoice { Index = _choiceIndex, Delta = new ChatDelta { Content = Encoding.UTF8.GetString(text) } }] };
    }

    /// <summary>Remembers the shape of <paramref name="chunk"/>, read from <paramref name="json"/>, when it is a plain text chunk of another shape.</summary>
    public void Remember(ReadOnlySpan<byte> json, ChatChunk chunk)
    {
        if (!IsPlainText(chunk, out var choiceIndex) || TextAt(json) is not { } text)
        {
            return;
        }
        var head = json[..(text.Start + 1)];
        var tail = json[(text.End - 1)..];
        if (head.SequenceEqual(_head) && tail.SequenceEqual(_tail) && choiceIndex == _choiceIndex)
        {
            return;
        }
        (_head, _tail, _choiceIndex) = (head.ToArray(), tail.ToArray(), choiceIndex);
    }

    private static bool IsPlainText(ChatChunk chunk, out int choiceIndex)
    {
        choiceIndex = 0;
        if (chunk is not { Usage: null, Error: null, Choices: [{ FinishReason: null, StopReason: null, MatchedStop: null } choice] }
            || choice.Delta is not { Content: not null, ReasoningContent: null, ToolCalls: null })
        {
            return false;
        }
        choiceIndex = choice.Index;
        return true;
    }

    /// <summary>Where <c>choices[0].delta.content</c>'s string token starts (its opening quote) and ends (after its closing quote), if it is a string.</summary>
    private static (int Start, int End)? TextAt(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || !Enter(ref reader, "choices"u8) || !reader.Read() || reader.TokenType != JsonTokenType.StartArray
            || !reader.Read() || reader.TokenType != JsonTokenType.StartObject || !Enter(ref reader, "delta"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.StartObject || !Enter(ref reader, "content"u8)
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
