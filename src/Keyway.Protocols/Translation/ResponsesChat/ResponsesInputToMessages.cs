using System.Text;
using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// <c>instructions</c> and <c>input</c> (https://platform.openai.com/docs/api-reference/responses/create#responses-create-input)
/// as Chat <c>messages</c>. Chat needs an assistant turn's tool calls in ONE message followed by the tool results,
/// so consecutive function calls (and the assistant text right before them) are merged into one assistant message.
/// </summary>
internal sealed class ResponsesInputToMessages
{
    private readonly List<ChatMessageDraft> _messages = [];
    private readonly bool _keepsThinkingBlocks;
    private string? _pendingReasoning;
    private IReadOnlyList<JsonElement> _pendingThinking = [];
    private bool _compactionRequested;

    private ResponsesInputToMessages(bool keepsThinkingBlocks) => _keepsThinkingBlocks = keepsThinkingBlocks;

    /// <summary>
    /// Writes the messages; returns whether the input asked for server-side compaction (<see cref="KeywayCompaction"/>).
    /// <paramref name="keepsThinkingBlocks"/>: the messages go on to an Anthropic upstream
    /// (<see cref="TranslationContext.ChatHubToAnthropic"/>), so a reasoning item's sealed thinking blocks
    /// (<see cref="KeywayThinking"/>) go with them as <c>thinking_blocks</c>.
    /// </summary>
    public static bool Write(JsonElement root, Utf8JsonWriter writer, bool keepsThinkingBlocks)
    {
        var builder = new ResponsesInputToMessages(keepsThinkingBlocks);
        if (root.String("instructions") is { Length: > 0 } instructions)
        {
            builder.Append("system").AddText(instructions);
        }

        if (root.TryGetProperty("input", out var input))
        {
            if (input.ValueKind == JsonValueKind.String)
            {
                builder.Append("user").AddText(input.GetString()!);
            }
            else if (input.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in input.EnumerateArray())
                {
                    builder.AddItem(item);
                }
            }
            else if (input.ValueKind != JsonValueKind.Null)
            {
                throw new TranslationException("input must be a string or an array of input items.");
            }
        }

        writer.WriteStartArray();
        foreach (var message in builder._messages)
        {
            message.WriteTo(writer);
        }

        writer.WriteEndArray();
        return builder._compactionRequested;
    }

    private void AddItem(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException("Every input item must be a JSON object.");
        }

        // An item without a type is the short "easy input message" form: {role, content}.
        switch (item.String("type") ?? (item.String("role") is null ? null : "message"))
        {
            case "message":
                AddMessage(item);
                break;
            case "function_call":
                AssistantForToolCall().AddToolCall(CallId(item), item.String("name") ?? "", item.String("arguments") ?? "{}");
                break;
            case "custom_tool_call":
                var raw = item.String("input") ?? "";
                AssistantForToolCall().AddToolCall(CallId(item), item.String("name") ?? "", CustomToolInput.ToArguments(raw));
                break;
            case "function_call_output" or "custom_tool_call_output":
                var tool = Append("tool", CallId(item));
                tool.AddText(ToolOutputText(item));
                break;
            case "reasoning":
                _pendingReasoning = ReasoningText(item);
                _pendingThinking = _keepsThinkingBlocks && KeywayThinking.TryOpen(item.String("encrypted_content"), out var blocks) ? blocks : [];
                break;
            case "compaction_trigger":
                // The model writes the summary the answer's compaction item carries (KeywayCompaction).
                Append("user").AddText(KeywayCompaction.Prompt);
                _compactionRequested = true;
                break;
            case "compaction" when KeywayCompaction.TryOpen(item.String("encrypted_content"), out var summary):
                Append("user").AddText(KeywayCompaction.SummaryPreface + summary);
                break;
        }

        // Everything else (local_shell_call, web_search_call, item_reference, OpenAI's own compaction items, …) belongs
        // to tools a chat upstream does not have, or to server-side state only OpenAI reads: dropped on purpose.
    }

    private void AddMessage(JsonElement item)
    {
        var role = item.String("role") switch
        {
            "developer" or "system" => "system",
            "assistant" => "assistant",
            _ => "user",
        };

        var message = Append(role);
        if (item.TryGetProperty("content", out var content))
        {
            AddContent(message, content);
        }
    }

    private static void AddContent(ChatMessageDraft message, JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            message.AddText(content.GetString()!);
            return;
        }

        if (content.ValueKind == JsonValueKind.Null)
        {
            return;
        }
        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("input[].content must be a string or an array of content parts.");
        }

        foreach (var part in content.EnumerateArray())
        {
            switch (part.String("type"))
            {
                case "input_text" or "output_text" or "text":
                    message.AddText(part.String("text") ?? "");
                    break;
                case "refusal":
                    message.AddText(part.String("refusal") ?? "");
                    break;
                case "input_image" when part.String("image_url") is { } url:
                    message.AddImage(url, part.String("detail"));
                    break;
            }

            // input_file and images given only by file_id need OpenAI's file store: dropped.
        }
    }

    private ChatMessageDraft Append(string role, string? toolCallId = null)
    {
        var message = new ChatMessageDraft(role) { ToolCallId = toolCallId };
        if (role == "assistant")
        {
            message.AddReasoning(_pendingReasoning, _pendingThinking);
        }

        // Reasoning belongs to the assistant turn right after it; a user turn in between orphans it.
        _pendingReasoning = null;
        _pendingThinking = [];
        _messages.Add(message);
        return message;
    }

    private ChatMessageDraft AssistantForToolCall()
    {
        if (_messages.Count > 0 && _messages[^1] is { Role: "assistant" } last)
        {
            last.AddReasoning(_pendingReasoning, _pendingThinking);
            _pendingReasoning = null;
            _pendingThinking = [];
            return last;
        }

        return Append("assistant");
    }

    private static string CallId(JsonElement item) =>
        item.String("call_id") ?? throw new TranslationException($"A {item.String("type")} input item needs a call_id.");

    /// <summary>Tool output is a string or a list of content parts; chat tool messages take text only.</summary>
    private static string ToolOutputText(JsonElement item)
    {
        if (!item.TryGetProperty("output", out var output))
        {
            return "";
        }

        return output.ValueKind switch
        {
            JsonValueKind.String => output.GetString()!,
            JsonValueKind.Array => string.Join('\n', output.EnumerateArray()
                .Select(part => part.String("text"))
                .Where(text => text is not null)),
            JsonValueKind.Null => "",
            _ => output.GetRawText(),
        };
    }

    /// <summary>The full reasoning text when the item carries it, else its summary; OpenAI's own encrypted_content is OpenAI-only.</summary>
    private static string? ReasoningText(JsonElement item)
    {
        var text = JoinTexts(item, "content");
        return text.Length > 0 ? text : JoinTexts(item, "summary") is { Length: > 0 } summary ? summary : null;
    }

    private static string JoinTexts(JsonElement item, string property)
    {
        var builder = new StringBuilder();
        if (item.TryGet(property, JsonValueKind.Array, out var parts))
        {
            foreach (var text in parts.EnumerateArray().Select(part => part.String("text")).OfType<string>())
            {
                builder.Append(builder.Length > 0 ? "\n\n" : "").Append(text);
            }
        }

        return builder.ToString();
    }
}
