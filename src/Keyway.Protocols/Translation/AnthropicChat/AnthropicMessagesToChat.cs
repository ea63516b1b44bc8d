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
        var messages = new List<ChatMessage>();
        var turns = request.Messages ?? throw new TranslationException("messages is required.");
        var system = string.Join("\n\n", turns.Where(m => m.Role == "system").Select(m => JoinText(m.Content, "\n\n"))
            .Prepend(JoinText(request.System, "\n\n")).Where(text => text.Length > 0));
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

    private static void AddUserTurn(List<AnthropicBlock> blocks, List<ChatMessage> messages)
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

        var content = UserContent(parts);
        if (content is not null)
        {
            messages.Add(new ChatMessage { Role = "user", Content = content });
        }
    }

    private static void AddAssistantTurn(List<AnthropicBlock> blocks, bool thinkingEnabled, List<ChatMessage> messages)
    {
        var text = JoinText(blocks, "\n");
        var reasoning = string.Concat(blocks.Where(b => b.Type == "thinking").Select(b => b.Thinking));
        var toolCalls = blocks.Where(b => b.Type == "tool_use").Select(ToolCall).ToList();
        if (text.Length == 0 && reasoning.Length == 0 && toolCalls.Count == 0)
        {
            return;
        }

        messages.Add(new ChatMessage
        {
            Role = "assistant",
            Content = text.Length > 0 ? text : null,
            // DeepSeek's thinking mode answers 400 when an assistant turn after a tool call lacks reasoning_content.
            ReasoningContent = reasoning.Length > 0 ? reasoning : thinkingEnabled && toolCalls.Count > 0 ? "" : null,
            ToolCalls = toolCalls.Count > 0 ? toolCalls : null,
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
        var kept = blocks.Where(b => (b.Type == "text" && !string.IsNullOrEmpty(b.Text)) || ImageUrl(b) is not null).ToList();
        if (kept.Count == 0)
        {
            return null;
        }

        if (kept.All(b => b.Type == "text"))
        {
            return JoinText(kept, "\n");
        }

        var parts = new JsonArray();
        foreach (var block in kept)
        {
            parts.Add((JsonNode)(block.Type == "text"
                ? new JsonObject { ["type"] = "text", ["text"] = block.Text }
                : new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = ImageUrl(block) } }));
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
        var text = new StringBuilder();
        foreach (var block in blocks ?? [])
        {
            if (block.Type == "text" && !string.IsNullOrEmpty(block.Text))
            {
                text.Append(text.Length > 0 ? separator : "").Append(block.Text);
            }
        }

        return text.ToString();
    }
}
