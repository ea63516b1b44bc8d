using System.Text.Json;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>One Chat message being assembled from Responses input items, written once complete.</summary>
internal sealed class ChatMessageDraft(string role)
{
    private readonly List<ContentPart> _parts = [];
    private readonly List<(string Id, string Name, string Arguments)> _toolCalls = [];
    private readonly List<JsonElement> _thinkingBlocks = [];

    public string Role { get; } = role;

    public string? ToolCallId { get; init; }

    /// <summary>DeepSeek-style reasoning text replayed on an assistant turn (its thinking mode requires it after tool calls).</summary>
    public string? ReasoningContent { get; private set; }

    public bool HasToolCalls => _toolCalls.Count > 0;

    public void AddText(string text) => _parts.Add(new ContentPart(text, null, null));

    public void AddImage(string url, string? detail) => _parts.Add(new ContentPart(null, url, detail));

    /// <summary>
    /// <paramref name="other"/>'s parts after this message's, a blank line between (an empty text part: parts are joined
    /// by a line break), as one system message takes each system or developer message in turn.
    /// </summary>
    public void AddParagraphs(ChatMessageDraft other)
    {
        if (other._parts.Count == 0)
        {
            return;
        }
        if (_parts.Count > 0)
        {
            AddText("");
        }
        _parts.AddRange(other._parts);
    }

    public void AddToolCall(string id, string name, string arguments) => _toolCalls.Add((id, name, arguments));

    /// <summary>A reasoning item's text and, on the way to an Anthropic upstream, its signed thinking blocks (<see cref="KeywayThinking"/>).</summary>
    public void AddReasoning(string? reasoning, IReadOnlyList<JsonElement> thinkingBlocks)
    {
        if (!string.IsNullOrEmpty(reasoning))
        {
            ReasoningContent = ReasoningContent is null ? reasoning : ReasoningContent + "\n\n" + reasoning;
        }
        _thinkingBlocks.AddRange(thinkingBlocks);
    }

    /// <param name="reasoningAsDetails">Reasoning goes as MiniMax's <c>reasoning_details</c> (<see cref="TranslationContext.ChatReasoningSplit"/>).</param>
    public void WriteTo(Utf8JsonWriter writer, bool reasoningAsDetails)
    {
        writer.WriteStartObject();
        writer.WriteString("role", Role);
        writer.WritePropertyName("content");
        WriteContent(writer);
        // DeepSeek's thinking mode needs it on a tool-call turn and ignores it elsewhere (AnthropicMessagesToChat).
        if (ReasoningContent is not null && _toolCalls.Count > 0)
        {
            if (reasoningAsDetails)
            {
                writer.WritePropertyName("reasoning_details");
                writer.WriteRawValue(ReasoningDetails.Of(RawJsonString.Of(ReasoningContent)).Utf8, skipInputValidation: true);
            }
            else
            {
                writer.WriteString("reasoning_content", ReasoningContent);
            }
        }

        if (_thinkingBlocks.Count > 0)
        {
            writer.WriteStartArray("thinking_blocks");
            foreach (var block in _thinkingBlocks)
            {
                block.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        if (ToolCallId is not null)
        {
            writer.WriteString("tool_call_id", ToolCallId);
        }

        if (_toolCalls.Count > 0)
        {
            writer.WriteStartArray("tool_calls");
            foreach (var (id, name, arguments) in _toolCalls)
            {
                writer.WriteStartObject();
                writer.WriteString("id", id);
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", name);
                writer.WriteString("arguments", arguments);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Text-only content is written as one string: several compatible upstreams (DeepSeek among them) accept only
    /// string content outside user messages. Only a message with an image needs the array form: a user message, or a tool
    /// message bound for Keyway's Chat → Anthropic hop (<see cref="TranslationContext.ChatHubToAnthropic"/>).
    /// </summary>
    private void WriteContent(Utf8JsonWriter writer)
    {
        if (_parts.Count == 0)
        {
            if (_toolCalls.Count > 0)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue("");
            }

            return;
        }

        if (_parts is [{ Text: { } onlyText }])
        {
            // Most turns hold one text: written as it is, without the join below (it runs for every turn of every call).
            writer.WriteStringValue(onlyText);
            return;
        }

        if (Role is not ("user" or "tool") || _parts.TrueForAll(part => part.ImageUrl is null))
        {
            writer.WriteStringValue(string.Join('\n', _parts.Where(part => part.Text is not null).Select(part => part.Text)));
            return;
        }

        writer.WriteStartArray();
        foreach (var part in _parts)
        {
            writer.WriteStartObject();
            if (part.ImageUrl is { } url)
            {
                writer.WriteString("type", "image_url");
                writer.WriteStartObject("image_url");
                writer.WriteString("url", url);
                if (part.Detail is { } detail)
                {
                    writer.WriteString("detail", detail);
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("type", "text");
                writer.WriteString("text", part.Text);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private sealed record ContentPart(string? Text, string? ImageUrl, string? Detail);
}
