using System.Text.Json;
using Keyway.Protocols.Json;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols;

/// <summary>
/// An Anthropic Messages body read in one pass of a <see cref="Utf8JsonReader"/> for what extended thinking needs, its
/// bytes left as they are: where its thinking blocks without a signature lie (Keyway's own, translated from a Chat
/// upstream's reasoning with <c>signature:""</c>, which a client such as Claude Code echoes and Anthropic refuses:
/// "Invalid `signature` in `thinking` block"), each with its separating comma, and a message left with no other block
/// as a whole; and its messages as <see cref="ThinkingTurn"/> reads them once those are cut.
/// </summary>
internal sealed class AnthropicThinkingScan
{
    private readonly List<TurnMessage> _messages = [];
    private readonly List<TokenSpan> _removals = [];

    private AnthropicThinkingScan()
    {
    }

    /// <summary>The byte ranges to cut, in no particular order and never overlapping.</summary>
    public IReadOnlyList<TokenSpan> Removals => _removals;

    /// <summary>Whether Anthropic takes thinking on with the messages once the cuts are made (<see cref="ThinkingTurn"/>).</summary>
    public bool AllowsThinking => ThinkingTurn.AllowsThinking(_messages);

    /// <summary>
    /// Whether <paramref name="body"/> holds an empty <c>signature</c>: a byte search, so a body without one (almost every
    /// pass-through body) is never read.
    /// </summary>
    public static bool HasEmptySignature(ReadOnlySpan<byte> body)
    {
        // Searched without its opening quote: a vectorized search anchors on the needle's first and last bytes, and two
        // quotes ten bytes apart are everywhere in JSON.
        var name = "signature\""u8;
        for (var at = body.IndexOf(name); at >= 0; at = NextAt(body, at + name.Length, name))
        {
            var rest = body[(at + name.Length)..].TrimStart(" \t\r\n"u8);
            if (at > 0 && body[at - 1] == (byte)'"' && rest is [(byte)':', ..] && rest[1..].TrimStart(" \t\r\n"u8).StartsWith("\"\""u8))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether the top-level <c>thinking</c> member turns on thinking that opens every answer (<c>enabled</c>), so Anthropic
    /// holds a tool loop to <see cref="ThinkingTurn"/>'s rule; adaptive thinking may leave a turn without any, and is not.
    /// </summary>
    public static bool IsAlwaysOn(ReadOnlySpan<byte> body, JsonObjectMembers.Member thinking) =>
        JsonObjectMembers.Scan(body, thinking.Value)?.Text(body, "type") == "enabled";

    /// <summary>Whether the top-level <c>thinking</c> member (an object) turns thinking on: its type is neither absent nor "disabled".</summary>
    public static bool IsOn(ReadOnlySpan<byte> body, JsonObjectMembers.Member thinking) =>
        JsonObjectMembers.Scan(body, thinking.Value)?.Text(body, "type") is not (null or "disabled");

    /// <summary>The scan of <paramref name="body"/>; null when it is not a JSON object.</summary>
    public static AnthropicThinkingScan? Read(ReadOnlySpan<byte> body)
    {
        var scan = new AnthropicThinkingScan();
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (JsonReading.NextProperty(ref reader))
            {
                var isMessages = reader.ValueTextEquals("messages"u8);
                reader.Read();
                if (isMessages && reader.TokenType == JsonTokenType.StartArray)
                {
                    scan.ReadMessages(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            return scan;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int NextAt(ReadOnlySpan<byte> body, int from, ReadOnlySpan<byte> name) =>
        body[from..].IndexOf(name) is var next and >= 0 ? from + next : -1;

    private void ReadMessages(ref Utf8JsonReader reader)
    {
        var elements = new List<(TokenSpan Span, bool Cut)>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            var (message, cuts, emptied) = reader.TokenType == JsonTokenType.StartObject ? ReadMessage(ref reader) : (default(TurnMessage), new List<TokenSpan>(), false);
            reader.Skip();
            elements.Add((new TokenSpan(start, (int)reader.BytesConsumed), emptied));
            if (!emptied)
            {
                _messages.Add(message);
                _removals.AddRange(cuts);
            }
        }
        CutRuns(elements, _removals);
    }

    /// <summary>One message: as the rule reads it, the cuts inside it, and whether every block of it is cut.</summary>
    private static (TurnMessage Message, List<TokenSpan> Cuts, bool Emptied) ReadMessage(ref Utf8JsonReader reader)
    {
        string? role = null;
        string? first = null;
        var hasToolResult = false;
        var blocks = new List<(TokenSpan Span, bool Cut)>();
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("role"u8))
            {
                role = JsonReading.ReadStringOrNull(ref reader);
                continue;
            }
            var isContent = reader.ValueTextEquals("content"u8);
            reader.Read();
            if (isContent && reader.TokenType == JsonTokenType.String)
            {
                first = "text";
            }
            else if (isContent && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    var (type, unsigned) = reader.TokenType == JsonTokenType.StartObject ? ReadBlock(ref reader) : ((string?)null, false);
                    reader.Skip();
                    blocks.Add((new TokenSpan(start, (int)reader.BytesConsumed), unsigned));
                    if (!unsigned)
                    {
                        first ??= type;
                        hasToolResult |= type == "tool_result";
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
        var cuts = new List<TokenSpan>();
        CutRuns(blocks, cuts);
        return (new TurnMessage(role, first, hasToolResult), cuts, blocks.Count > 0 && blocks.TrueForAll(block => block.Cut));
    }

    /// <summary>A content block's type, and whether it is a thinking block without a signature; the reader ends on its closing brace.</summary>
    private static (string? Type, bool Unsigned) ReadBlock(ref Utf8JsonReader reader)
    {
        string? type = null;
        string? signature = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                type = JsonReading.ReadStringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("signature"u8))
            {
                signature = JsonReading.ReadStringOrNull(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return (type, type == "thinking" && string.IsNullOrEmpty(signature));
    }

    /// <summary>
    /// The cuts that take the marked items out of an array with the commas between them: a run after a kept item from
    /// that item's end, a leading run up to the next kept item's start, a run of every item from the first to the last.
    /// </summary>
    private static void CutRuns(List<(TokenSpan Span, bool Cut)> items, List<TokenSpan> cuts)
    {
        for (var first = 0; first < items.Count; first++)
        {
            if (!items[first].Cut)
            {
                continue;
            }
            var last = first;
            while (last + 1 < items.Count && items[last + 1].Cut)
            {
                last++;
            }
            cuts.Add(first > 0 ? new TokenSpan(items[first - 1].Span.End, items[last].Span.End)
                : last + 1 < items.Count ? new TokenSpan(items[first].Span.Start, items[last + 1].Span.Start)
                : new TokenSpan(items[first].Span.Start, items[last].Span.End));
            first = last;
        }
    }
}
