using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>The Anthropic content blocks made from Chat output, shaped as the official SDKs validate them.</summary>
internal static class AnthropicBlocks
{
    public static AnthropicBlock Text(string text) => new() { Type = "text", Text = RawJsonString.Of(text) };

    /// <summary>
    /// Chat reasoning has no signature; the block carries an empty one, which the SDKs accept (the field is required)
    /// and which a Chat upstream never checks when the thinking comes back as reasoning_content.
    /// </summary>
    public static AnthropicBlock Thinking(string thinking) => new() { Type = "thinking", Thinking = RawJsonString.Of(thinking), Signature = "" };

    /// <summary>
    /// A tool_use block. The id and the client's tool name are kept; <c>caller</c> is required by the current SDKs.
    /// Anthropic's <c>input</c> must be an object: arguments that do not parse as a JSON object become <c>{}</c>, so
    /// the client's schema check reports the broken call back to the model instead of the whole answer failing.
    /// </summary>
    public static AnthropicBlock ToolUse(string? id, string? upstreamName, string? arguments, ToolNameMap names) => new()
    {
        Type = "tool_use",
        Id = id,
        Name = string.IsNullOrEmpty(upstreamName) ? throw new TranslationException(TranslationException.NamelessToolCall) : names.ClientName(upstreamName),
        Input = ParseInput(arguments),
        Caller = AnthropicCaller.Direct,
    };

    /// <summary>The tool_use block a stream opens, before its input arrives as input_json_delta fragments.</summary>
    public static AnthropicBlock ToolUseStart(string id, string clientName) => new()
    {
        Type = "tool_use",
        Id = id,
        Name = clientName,
        Input = new JsonObject(),
        Caller = AnthropicCaller.Direct,
    };

    public static JsonObject ParseInput(string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(arguments) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>True when the text is one complete JSON value (a streamed tool call's arguments are finished).</summary>
    public static bool IsCompleteJson(string text)
    {
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
            reader.Read();
            reader.Skip();
            return !reader.Read();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
