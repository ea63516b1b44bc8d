using System.Text.Json;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A choice's <c>delta</c> (a chunk's) or <c>message</c> (a completion's): its content, reasoning, thinking blocks and
/// tool calls.
/// </summary>
internal static partial class ChatReader
{
    private static readonly MemberSet DeltaMembers = new("content", "reasoning_content", "reasoning", "reasoning_details", "tool_calls", "thinking_blocks");
    private static readonly MemberSet ThinkingBlockMembers = new("type", "thinking", "signature", "data");
    private static readonly MemberSet TextPartMembers = new("text");
    private static readonly MemberSet ToolCallMembers = new("index", "id", "function");
    private static readonly MemberSet FunctionMembers = new("name", "arguments");

    /// <summary>
    /// Content as a string, or (some upstreams) an array of parts whose string <c>text</c> members are joined; a part
    /// without text (a refusal, an image) adds nothing.
    /// </summary>
    private static string? ReadContentText(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return ReadCurrentString(ref reader);
        }
        var parts = new List<string?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            parts.Add(reader.TokenType == JsonTokenType.StartObject ? ReadPartText(ref reader) : throw Unreadable(ref reader));
        }
        return string.Concat(parts);
    }

    private static string? ReadPartText(ref Utf8JsonReader reader)
    {
        string? text = null;
        var seen = 0;
        while (TextPartMembers.Next(ref reader, ref seen) is not null)
        {
            reader.Read();
            text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
        }
        return text;
    }

    /// <summary>
    /// Reasoning text is <c>reasoning_content</c> (DeepSeek, Qwen, GLM, Kimi) or <c>reasoning</c> (OpenRouter, newer
    /// vLLM) or the texts of <c>reasoning_details</c> (MiniMax with <c>reasoning_split</c>, <see cref="ReasoningDetails"/>;
    /// OpenRouter sends it beside <c>reasoning</c>); an upstream sending more than one means the same text, and
    /// <c>reasoning_content</c> wins, then <c>reasoning</c>. Anything but a string in <c>reasoning</c>, or an array in
    /// <c>reasoning_details</c>, is left alone, not taken for a broken chunk.
    /// </summary>
    private static ChatDelta ReadDelta(ref Utf8JsonReader reader)
    {
        var delta = new ChatDelta();
        string? reasoning = null;
        string? reasoningDetails = null;
        var seen = 0;
        while (DeltaMembers.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "content":
                    delta.Content = ReadContentText(ref reader);
                    break;
                case "reasoning_content":
                    delta.ReasoningContent = ReadString(ref reader);
                    break;
                case "reasoning":
                    reasoning = ReadStringOrSkip(ref reader);
                    break;
                case "reasoning_details":
                    reasoningDetails = ReadReasoningDetailsText(ref reader);
                    break;
                case "tool_calls":
                    var calls = new List<ChatToolCall>();
                    delta.ToolCalls = ReadObjects(ref reader, calls, ReadToolCall) ? calls : null;
                    break;
                case "thinking_blocks":
                    var blocks = new List<ChatThinkingBlock>();
                    delta.ThinkingBlocks = ReadObjects(ref reader, blocks, ReadThinkingBlock) ? blocks : null;
                    break;
            }
        }
        delta.ReasoningContent ??= reasoning ?? reasoningDetails;
        return delta;
    }

    /// <summary>
    /// The <c>text</c> members of <c>reasoning_details</c>' objects, joined; null when none has one (OpenRouter's
    /// encrypted or summary details) or the member is not an array. A chunk's details hold the text it adds, as its
    /// <c>content</c> does ("reasoning_details[].text returns incremental text, not cumulative",
    /// https://github.com/MiniMax-AI/MiniMax-M2/issues/95).
    /// </summary>
    private static string? ReadReasoningDetailsText(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        string? text = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
            }
            else if (ReadPartText(ref reader) is { } part)
            {
                text = text is null ? part : text + part;
            }
        }
        return text;
    }

    /// <summary>A thinking block of LiteLLM's <c>thinking_blocks</c>: its string members, whatever their order.</summary>
    private static ChatThinkingBlock ReadThinkingBlock(ref Utf8JsonReader reader)
    {
        var block = new ChatThinkingBlock();
        var seen = 0;
        while (ThinkingBlockMembers.Next(ref reader, ref seen) is { } member)
        {
            var text = ReadString(ref reader);
            switch (member)
            {
                case "type":
                    block.Type = text;
                    break;
                case "thinking":
                    block.Thinking = text is null ? null : RawJsonString.Of(text);
                    break;
                case "signature":
                    block.Signature = text;
                    break;
                case "data":
                    block.Data = text;
                    break;
            }
        }
        return block;
    }

    private static ChatToolCall ReadToolCall(ref Utf8JsonReader reader)
    {
        var call = new ChatToolCall();
        var seen = 0;
        while (ToolCallMembers.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "index":
                    call.Index = ReadInt32(ref reader);
                    break;
                case "id":
                    call.Id = ReadString(ref reader);
                    break;
                case "function":
                    call.Function = StartObject(ref reader) ? ReadFunction(ref reader) : null;
                    break;
            }
        }
        return call;
    }

    private static ChatFunctionCall ReadFunction(ref Utf8JsonReader reader)
    {
        var function = new ChatFunctionCall();
        var seen = 0;
        while (FunctionMembers.Next(ref reader, ref seen) is { } member)
        {
            var text = ReadString(ref reader);
            if (member == "name")
            {
                function.Name = text;
            }
            else
            {
                function.Arguments = text;
            }
        }
        return function;
    }
}
