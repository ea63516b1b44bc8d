using System.Text;
using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Anthropic <c>system</c> and <c>messages</c> as Chat messages. A user turn's tool_result blocks become
/// <c>role:"tool"</c> messages first, in order (Chat wants the tool answers right after the assistant's tool_calls),
/// then the rest of the turn as one user message. Empty text never becomes a message: upstreams reject empty content.
/// A <c>role:"system"</c> turn inside <c>messages</c> (Claude Code's mid-conversation system beta,
/// <c>mid-conversation-system-2026-04-07</c>, sent on every request) joins the leading system message: many
/// OpenAI-compatible upstreams accept a system message only first, so its position is given up, not its text.
/// </summary>
internal static class AnthropicMessagesToChat
{
    /// <summary>Prefixed to a tool_result with <c>is_error</c>: Chat tool messages have no error flag.</summary>
    public const string ToolErrorPrefix = "[tool error] ";

    /// <summary>The content of a tool_result with no text: some upstreams reject an empty tool message.</summary>
    public const string EmptyToolResult = "(no output)";

    public static List<ChatMessage> Messages(AnthropicRequest request, bool thinkingEnabled)
    {
        var turns = request.Messages ?? throw new TranslationException("messages is required.");
        var messages = new List<ChatMessage>(turns.Count + 1);
        var system = SystemText(request.System, turns);
        if (system.Length > 0)
        {
            messages.Add(new ChatMessage { Role = "system", Content = system });
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
                    AddAssistantTurn(message.Content ?? [], thinkingEnabled, messages);
                    break;
                default:
                    throw new TranslationException($"messages[].role must be \"user\", \"assistant\" or \"system\", not \"{message.Role}\".");
            }
        }

        return messages;
    }

    /// <summary><c>system</c>, then each <c>role:"system"</c> turn's text, joined by blank lines.</summary>
    private static string SystemText(List<AnthropicBlock>? system, List<AnthropicMessage> turns)
    {
        var text = new TextJoiner("\n\n");
        text.Add(JoinText(system, "\n\n"));
        foreach (var turn in turns)
        {
            if (turn.Role == "system")
            {
                text.Add(JoinText(turn.Content, "\n\n"));
            }
        }

        return text.ToString();
    }

    private static void AddUserTurn(List<AnthropicBlock> blocks, List<ChatMessage> messages)
    {
        // Most user turns hold no tool_result: their blocks are the user message's parts as they are.
        var parts = blocks.Exists(block => block.Type == "tool_result") ? AddToolResults(blocks, messages) : blocks;
        var content = UserContent(parts);
        if (content is not null)
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
                messages.Add(new ChatMessage { Role = "tool", ToolCallId = block.ToolUseId, Content = ToolResultText(block) });
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

    private static void AddAssistantTurn(List<AnthropicBlock> blocks, bool thinkingEnabled, List<ChatMessage> messages)
    {
        var text = new TextJoiner("\n");
        var reasoning = new TextJoiner("");
        List<ChatToolCall>? toolCalls = null;
        foreach (var block in blocks)
        {
            switch (block.Type)
            {
                case "text":
                    text.Add(block.Text);
                    break;
                case "thinking":
                    reasoning.Add(block.Thinking);
                    break;
                case "tool_use":
                    (toolCalls ??= []).Add(ToolCall(block));
                    break;
            }
        }

        var content = text.ToString();
        var reasoningContent = reasoning.ToString();
        if (content.Length == 0 && reasoningContent.Length == 0 && toolCalls is null)
        {
            return;
        }

        messages.Add(new ChatMessage
        {
            Role = "assistant",
            Content = content.Length > 0 ? content : null,
            // DeepSeek's thinking mode answers 400 when an assistant turn after a tool call lacks reasoning_content.
            ReasoningContent = reasoningContent.Length > 0 ? reasoningContent : thinkingEnabled && toolCalls is not null ? "" : null,
            ToolCalls = toolCalls,
        });
    }

    private static ChatToolCall ToolCall(AnthropicBlock block) => new()
    {
        Id = block.Id,
        Type = "function",
        Function = new ChatFunctionCall { Name = ToolNames.ForChat(block.Name ?? ""), Arguments = TranslationJson.ToText(block.Input) },
    };

    private static string ToolResultText(AnthropicBlock block)
    {
        var text = JoinText(block.Content, "\n");
        if (text.Length == 0)
        {
            text = EmptyToolResult;
        }

        return block.IsError == true ? ToolErrorPrefix + text : text;
    }

    /// <summary>Text only → one string (what every compatible upstream accepts); with images → content parts.</summary>
    private static JsonNode? UserContent(List<AnthropicBlock> blocks)
    {
        if (!blocks.Exists(block => ImageUrl(block) is not null))
        {
            var text = JoinText(blocks, "\n");
            return text.Length > 0 ? text : null;
        }

        var parts = new JsonArray();
        foreach (var block in blocks)
        {
            if (block.Type == "text" && !string.IsNullOrEmpty(block.Text))
            {
                parts.Add((JsonNode)new JsonObject { ["type"] = "text", ["text"] = block.Text });
            }
            else if (ImageUrl(block) is { } url)
            {
                parts.Add((JsonNode)new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } });
            }
        }

        return parts;
    }

    /// <summary>base64 → a data URL, url → the URL (https://docs.anthropic.com/en/docs/build-with-claude/vision).</summary>
    private static string? ImageUrl(AnthropicBlock block) => block.Type != "image" ? null : block.Source?.Type switch
    {
        "base64" when block.Source.Data is not null => $"data:{block.Source.MediaType};base64,{block.Source.Data}",
        "url" => block.Source.Url,
        _ => null,
    };

    private static string JoinText(List<AnthropicBlock>? blocks, string separator)
    {
        var text = new TextJoiner(separator);
        foreach (var block in blocks ?? [])
        {
            if (block.Type == "text")
            {
                text.Add(block.Text);
            }
        }

        return text.ToString();
    }

    /// <summary>Non-empty texts joined by a separator; a single one is kept as it is, without a copy.</summary>
    private struct TextJoiner(string separator)
    {
        private string _first = "";
        private StringBuilder? _joined;

        public void Add(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            if (_joined is not null)
            {
                _joined.Append(separator).Append(text);
            }
            else if (_first.Length == 0)
            {
                _first = text;
            }
            else
            {
                _joined = new StringBuilder(_first).Append(separator).Append(text);
            }
        }

        public override readonly string ToString() => _joined?.ToString() ?? _first;
    }
}
