using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Anthropic <c>system</c> and <c>messages</c> as Chat messages. A user turn's tool_result blocks become
/// <c>role:"tool"</c> messages first, in order (Chat wants the tool answers right after the assistant's tool_calls),
/// then the rest of the turn as one user message. Empty text never becomes a message: upstreams reject empty content.
/// A <c>role:"system"</c> turn inside <c>messages</c> (Claude Code's mid-conversation system beta,
/// <c>mid-conversation-system-2026-04-07</c>, sent on every request) joins the leading system message: many
/// OpenAI-compatible upstreams accept a system message only first, so its position is given up, not its text.
/// Claude Code's billing attribution block (<see cref="IsBillingHeader"/>) is left out of the system message.
/// </summary>
internal static class AnthropicMessagesToChat
{
    /// <summary>Prefixed to a tool_result with <c>is_error</c>: Chat tool messages have no error flag.</summary>
    public const string ToolErrorPrefix = "[tool error] ";

    /// <summary>The content of a tool_result with no text: some upstreams reject an empty tool message.</summary>
    public const string EmptyToolResult = "(no output)";

    private static readonly RawJsonString ToolErrorPrefixText = RawJsonString.Of(ToolErrorPrefix);
    private static readonly RawJsonString EmptyToolResultText = RawJsonString.Of(EmptyToolResult);

    /// <param name="replayReasoning">Tool-call turns carry their thinking as <c>reasoning_content</c> (<see cref="TranslationContext.ChatReasoningReplay"/>).</param>
    /// <param name="asDetails">... as MiniMax's <c>reasoning_details</c> instead (<see cref="TranslationContext.ChatReasoningSplit"/>).</param>
    public static List<ChatMessage> Messages(AnthropicRequest request, bool thinkingEnabled, bool replayReasoning, bool asDetails)
    {
        var turns = request.Messages ?? throw new TranslationException("messages is required.");
        var messages = new List<ChatMessage>(turns.Count + 1);
        var system = SystemText(request.System, turns);
        if (!system.IsEmpty)
        {
            messages.Add(new ChatMessage { Role = "system", Content = system.AsValue() });
        }

        foreach (var message in turns)
        {
            switch (message.Role)
            {
                case "system":
                    break;
                case "user":
                    AddUserTurn(message.Content ?? [], messages);
                    break;
                case "assistant":
                    AddAssistantTurn(message.Content ?? [], thinkingEnabled, replayReasoning, asDetails, messages);
                    break;
                default:
                    throw new TranslationException($"messages[].role must be \"user\", \"assistant\" or \"system\", not \"{message.Role}\".");
            }
        }

        return messages;
    }

    /// <summary><c>system</c>, then each <c>role:"system"</c> turn's text, joined by blank lines.</summary>
    private static RawJsonString SystemText(List<AnthropicBlock>? system, List<AnthropicMessage> turns)
    {
        var text = new RawTextJoiner(RawTextJoiner.BlankLine);
        AddTexts(ref text, system?.FindAll(block => !IsBillingHeader(block)));
        foreach (var turn in turns)
        {
            if (turn.Role == "system")
            {
                AddTexts(ref text, turn.Content);
            }
        }

        return text.Join();
    }

    /// <summary>
    /// Claude Code (2.1.69 and later) opens its system prompt with a one-line block of Anthropic's billing attribution,
    /// <c>x-anthropic-billing-header: cc_version=2.1.197.&lt;fingerprint&gt;; cc_entrypoint=cli;</c>, the fingerprint
    /// taken from the conversation. A Chat upstream has no use for it, and at the very front of the prompt it would
    /// keep any two conversations from sharing a cached prefix (motiful/cc-cache-audit).
    /// </summary>
    private static bool IsBillingHeader(AnthropicBlock block) =>
        block is { Type: "text", Text: { } text } && text.Content.StartsWith("x-anthropic-billing-header:"u8) && text.Content.IndexOf("\\n"u8) < 0;

    private static void AddUserTurn(List<AnthropicBlock> blocks, List<ChatMessage> messages)
    {
        // Most user turns hold no tool_result: their blocks are the user message's parts as they are.
        var parts = blocks.Exists(block => block.Type == "tool_result") ? AddToolResults(blocks, messages) : blocks;
        if (UserContent(parts) is { } content)
        {
            messages.Add(new ChatMessage { Role = "user", Content = content });
        }
    }

    /// <summary>Adds each tool_result as a <c>role:"tool"</c> message; returns the other blocks, with the results' images.</summary>
    private static List<AnthropicBlock> AddToolResults(List<AnthropicBlock> blocks, List<ChatMessage> messages)
    {
        var parts = new List<AnthropicBlock>();
        foreach (var block in blocks)
        {
            if (block.Type == "tool_result")
            {
                messages.Add(new ChatMessage { Role = "tool", ToolCallId = block.ToolUseId, Content = ToolResultText(block).AsValue() });
                // Chat tool messages carry text only: a result's images go to the user message that follows.
                parts.AddRange(block.Content?.Where(inner => inner.Type == "image") ?? []);
            }
            else
            {
                parts.Add(block);
            }
        }

        return parts;
    }

    private static void AddAssistantTurn(List<AnthropicBlock> blocks, bool thinkingEnabled, bool replayReasoning, bool asDetails, List<ChatMessage> messages)
    {
        var text = new RawTextJoiner(RawTextJoiner.NewLine);
        var reasoning = new RawTextJoiner(RawTextJoiner.Nothing);
        List<ChatToolCall>? toolCalls = null;
        foreach (var block in blocks)
        {
            switch (block.Type)
            {
                case "text":
                    text.Add(block.Text);
                    break;
                case "thinking" when replayReasoning:
                    reasoning.Add(block.Thinking);
                    break;
                case "tool_use":
                    (toolCalls ??= []).Add(ToolCall(block));
                    break;
            }
        }

        if (text.IsEmpty && toolCalls is null)
        {
            return;
        }

        // DeepSeek's thinking mode answers 400 when a tool-call turn lacks reasoning_content, and ignores it on any
        // other turn ("between two user messages, if the model did not call a tool, the intermediate assistant's
        // reasoning_content does not join the context"): only tool-call turns carry it. MiniMax keeps the thinking of a
        // user turn's tool-call turns too, and gets it in its own member, with no placeholder when there is none.
        var replayed = toolCalls is null ? null : !reasoning.IsEmpty ? reasoning.Join() : thinkingEnabled && replayReasoning && !asDetails ? RawJsonString.Empty : null;
        messages.Add(new ChatMessage
        {
            Role = "assistant",
            Content = text.IsEmpty ? null : text.Join().AsValue(),
            ReasoningContent = asDetails ? null : replayed,
            ReasoningDetails = asDetails && replayed is not null ? ReasoningDetails.Of(replayed) : null,
            ToolCalls = toolCalls,
        });
    }

    private static ChatToolCall ToolCall(AnthropicBlock block) => new()
    {
        Id = block.Id,
        Type = "function",
        Function = new ChatFunctionCall { Name = ToolNames.ForChat(block.Name ?? ""), Arguments = TranslationJson.ToText(block.Input) },
    };

    private static RawJsonString ToolResultText(AnthropicBlock block)
    {
        var text = new RawTextJoiner(RawTextJoiner.NewLine);
        AddTexts(ref text, block.Content);
        var result = text.IsEmpty ? EmptyToolResultText : text.Join();
        if (block.IsError != true)
        {
            return result;
        }

        var flagged = new RawTextJoiner(RawTextJoiner.Nothing);
        flagged.Add(ToolErrorPrefixText);
        flagged.Add(result);
        return flagged.Join();
    }

    /// <summary>Text only → one string (what every compatible upstream accepts); with images → content parts.</summary>
    private static RawJsonValue? UserContent(List<AnthropicBlock> blocks)
    {
        if (!blocks.Exists(IsImage))
        {
            var text = new RawTextJoiner(RawTextJoiner.NewLine);
            AddTexts(ref text, blocks);
            return text.IsEmpty ? null : text.Join().AsValue();
        }

        using var parts = new PooledBufferWriter(1024);
        using (var writer = new Utf8JsonWriter(parts, TranslationJson.WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var block in blocks)
            {
                if (block.Type == "text" && block.Text is { IsEmpty: false } text)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "text"u8);
                    writer.WritePropertyName("text"u8);
                    writer.WriteRawValue(text.Quoted, skipInputValidation: true);
                    writer.WriteEndObject();
                }
                else if (IsImage(block))
                {
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "image_url"u8);
                    writer.WriteStartObject("image_url"u8);
                    writer.WritePropertyName("url"u8);
                    writer.WriteRawValue(ImageUrl(block.Source!).Quoted, skipInputValidation: true);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }
            }
            writer.WriteEndArray();
        }

        return new RawJsonValue(parts.ToArray());
    }

    private static bool IsImage(AnthropicBlock block) =>
        block.Type == "image" && block.Source is { Type: "base64", Data: not null } or { Type: "url", Url: not null };

    /// <summary>
    /// base64 → a data URL, url → the URL (https://docs.anthropic.com/en/docs/build-with-claude/vision). The data is joined
    /// as the client escaped it, without decoding: a 20 MB image was a 40 MB UTF-16 string, and its URL another.
    /// </summary>
    private static RawJsonString ImageUrl(AnthropicImageSource source) =>
        source is { Type: "base64", Data: { } data } ? DataUrlOf(source.MediaType, data) : RawJsonString.Of(source.Url!);

    private static RawJsonString DataUrlOf(string? mediaType, RawJsonString data)
    {
        var url = new RawTextJoiner(RawTextJoiner.Nothing);
        url.Add(RawJsonString.Of($"data:{mediaType};base64,"));
        url.Add(data);
        return url.Join();
    }

    private static void AddTexts(ref RawTextJoiner text, List<AnthropicBlock>? blocks)
    {
        foreach (var block in blocks ?? [])
        {
            if (block.Type == "text")
            {
                text.Add(block.Text);
            }
        }
    }
}
