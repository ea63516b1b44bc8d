using System.Text.Json;

namespace Keyway.Protocols;

/// <summary>
/// The <c>thinking_blocks</c> of a Chat body's messages, which a Chat upstream gets cut. They are Keyway's own (LiteLLM's
/// field: Anthropic's signed thinking, which Keyway's Chat answers from an Anthropic upstream carry so that a tool loop
/// keeps its thinking), and a client sends them back on its assistant messages whatever route comes next; OpenAI refuses
/// a message member it does not know ("Additional properties are not allowed ('thinking_blocks' was unexpected) -
/// 'messages.1'"), and Anthropic's signatures mean nothing to another vendor. Every other member stays as sent.
/// </summary>
internal static class ChatThinkingBlocks
{
    /// <summary>Whether <paramref name="body"/> names <c>thinking_blocks</c> at all: a byte search, so almost no body is read for it.</summary>
    public static bool IsNamedIn(ReadOnlySpan<byte> body)
    {
        // Searched without its opening quote: a vectorized search anchors on the needle's first and last bytes, and two
        // quotes sixteen bytes apart are everywhere in JSON.
        var name = "thinking_blocks\""u8;
        for (var from = 0; body[from..].IndexOf(name) is var found and >= 0; from += found + name.Length)
        {
            if (from + found > 0 && body[from + found - 1] == (byte)'"')
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The members to cut, each with its separating comma; none when the body has no <c>messages</c> array.</summary>
    public static List<TokenSpan> Removals(ReadOnlySpan<byte> body)
    {
        var removals = new List<TokenSpan>();
        if (JsonObjectMembers.ScanRoot(body)?.Get("messages") is not { Kind: JsonTokenType.StartArray } messages)
        {
            return removals;
        }
        var reader = new Utf8JsonReader(body[messages.Value.Start..messages.Value.End]);
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = messages.Value.Start + (int)reader.TokenStartIndex;
            var isObject = reader.TokenType == JsonTokenType.StartObject;
            reader.Skip();
            if (isObject && JsonObjectMembers.Scan(body, new TokenSpan(start, messages.Value.Start + (int)reader.BytesConsumed))?.Get("thinking_blocks") is { } blocks)
            {
                removals.Add(JsonObjectMembers.RemovalOf(body, blocks));
            }
        }
        return removals;
    }
}
