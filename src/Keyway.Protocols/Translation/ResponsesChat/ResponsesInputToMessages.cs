using System.Text;
using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// <c>instructions</c> and <c>input</c> (https://platform.openai.com/docs/api-reference/responses/create#responses-create-input)
/// as Chat <c>messages</c>. Chat needs an assistant turn's tool calls in ONE message followed by the tool results,
/// so consecutive function calls (and the assistant text right before them) are merged into one assistant message.
/// A tool's images (Codex's <c>view_image</c>) stay in its <c>tool</c> message only for Keyway's own Chat → Anthropic hop
/// (<see cref="TranslationContext.ChatHubToAnthropic"/>); for a Chat upstream, whose tool messages take text only,
/// they open the user message that follows the tool messages, as an Anthropic client's tool_result images do.
/// <c>instructions</c> and every system or developer message (Codex sends developer messages at the start and later in
/// the conversation) make ONE leading system message, in order, joined by blank lines: Qwen's chat templates (served by
/// DashScope, vLLM, SGLang, llama.cpp) refuse any other system message, "System message must be at the beginning.", as
/// LiteLLM (BerriAI/litellm#39852) and Dynamo (ai-dynamo/dynamo#10206) merge them, and as Keyway's Anthropic → Chat
/// translator joins Claude Code's mid-conversation system turns. A later message gives up its position, not its text.
/// </summary>
internal sealed class ResponsesInputToMessages(bool towardsAnthropic, bool replayReasoning, bool reasoningAsDetails)
{
    private readonly List<ChatMessageDraft> _messages = [];
    private readonly bool _reasoningAsDetails = reasoningAsDetails;
    private ChatMessageDraft? _system;
    private readonly List<(string Url, string? Detail)> _movedToolImages = [];
    private string? _pendingReasoning;
    private IReadOnlyList<JsonElement> _pendingThinking = [];
    private bool _compactionRequested;

    /// <summary>
    /// Writes the messages; returns whether the input asked for server-side compaction (<see cref="KeywayCompaction"/>).
    /// When the messages go on to an Anthropic upstream (<see cref="TranslationContext.ChatHubToAnthropic"/>), a reasoning
    /// item's sealed thinking blocks (<see cref="KeywayThinking"/>) go with them as <c>thinking_blocks</c>, and a tool's
    /// images stay in its tool message. A reasoning item's text goes on the tool-call turn after it as
    /// <c>reasoning_content</c> where the upstream takes it (<see cref="TranslationContext.ChatReasoningReplay"/>), as
    /// <c>reasoning_details</c> to MiniMax (<see cref="TranslationContext.ChatReasoningSplit"/>).
    /// </summary>
    public static bool Write(JsonElement root, Utf8JsonWriter writer, TranslationContext ctx)
    {
        var builder = new ResponsesInputToMessages(ctx.ChatHubToAnthropic, ctx.ChatReasoningReplay, ctx.ChatReasoningSplit);
        if (root.String("instructions") is { Length: > 0 } instructions)
        {
            builder.LeadingSystem().AddText(instructions);
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

        builder.MoveToolImages();
        writer.WriteStartArray();
        foreach (var message in builder._messages)
        {
            message.WriteTo(writer, builder._reasoningAsDetails);
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
                AddToolOutput(Append("tool", CallId(item)), item);
                break;
            case "reasoning":
                _pendingReasoning = replayReasoning ? ReasoningText(item) : null;
                _pendingThinking = towardsAnthropic && KeywayThinking.TryOpen(item.String("encrypted_content"), out var blocks) ? blocks : [];
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
        var role = item.String("role");
        if (role is "developer" or "system")
        {
            var system = new ChatMessageDraft("system");
            if (item.TryGetProperty("content", out var instructions))
            {
                AddContent(system, instructions);
            }
            LeadingSystem().AddParagraphs(system);
            return;
        }

        var message = Append(role == "assistant" ? "assistant" : "user");
        if (item.TryGetProperty("content", out var content))
        {
            AddContent(message, content);
        }
    }

    /// <summary>The system message, first of all messages (see the summary above).</summary>
    private ChatMessageDraft LeadingSystem()
    {
        if (_system is null)
        {
            _system = new ChatMessageDraft("system");
            _messages.Insert(0, _system);
        }
        return _system;
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
        if (role != "tool" && MoveToolImages() is { } withImages && role == "user")
        {
            _pendingReasoning = null;
            return withImages;
        }

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

    /// <summary>
    /// Tool output is a string or a list of content parts: text parts and images by URL or data URL (an image by file_id
    /// needs OpenAI's file store and is dropped, as in a message). A tool message left without text when its images moved
    /// says so, as Anthropic → Chat does: some upstreams refuse an empty tool message.
    /// </summary>
    private void AddToolOutput(ChatMessageDraft tool, JsonElement item)
    {
        var output = item.TryGetProperty("output", out var value) ? value : default;
        switch (output.ValueKind)
        {
            case JsonValueKind.String:
                tool.AddText(output.GetString()!);
                return;
            case JsonValueKind.Array:
                break;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                tool.AddText("");
                return;
            default:
                tool.AddText(output.GetRawText());
                return;
        }

        var moved = _movedToolImages.Count;
        var texts = 0;
        foreach (var part in output.EnumerateArray())
        {
            if (part.String("text") is { } text)
            {
                tool.AddText(text);
                texts++;
            }
            else if (part.String("type") == "input_image" && part.String("image_url") is { } url)
            {
                if (towardsAnthropic)
                {
                    tool.AddImage(url, part.String("detail"));
                }
                else
                {
                    _movedToolImages.Add((url, part.String("detail")));
                }
            }
        }

        if (texts == 0)
        {
            tool.AddText(_movedToolImages.Count > moved ? AnthropicChat.AnthropicMessagesToChat.EmptyToolResult : "");
        }
    }

    /// <summary>
    /// The user message the tool images waiting for one open (the next message of another role than tool, or the last),
    /// or null when none wait.
    /// </summary>
    private ChatMessageDraft? MoveToolImages()
    {
        if (_movedToolImages.Count == 0)
        {
            return null;
        }

        var user = new ChatMessageDraft("user");
        foreach (var (url, detail) in _movedToolImages)
        {
            user.AddImage(url, detail);
        }

        _movedToolImages.Clear();
        _messages.Add(user);
        return user;
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
