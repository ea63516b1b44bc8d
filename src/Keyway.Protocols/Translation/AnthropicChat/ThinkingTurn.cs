namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>One message of an Anthropic conversation as <see cref="ThinkingTurn"/> reads it.</summary>
internal readonly record struct TurnMessage(string? Role, string? FirstBlockType, bool HasToolResult);

/// <summary>
/// Anthropic's rule for thinking in a tool loop (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking,
/// "Preserving thinking blocks"; https://platform.claude.com/docs/build-with-claude/thinking-tool-workflows: "a tool-use
/// loop is one assistant turn"): while a turn's tool loop goes on (the last message holds tool results), thinking may be
/// on only when the turn's first assistant message starts with the thinking blocks Anthropic signed. Otherwise Anthropic
/// answers 400 "Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final
/// `assistant` message must start with a thinking block". A turn starts after the last user message without tool results.
/// </summary>
internal static class ThinkingTurn
{
    public static bool AllowsThinking(IReadOnlyList<TurnMessage> messages)
    {
        if (messages.Count == 0 || messages[^1] is not { Role: "user", HasToolResult: true })
        {
            return true;
        }
        var start = 0;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i] is { Role: "user", HasToolResult: false })
            {
                start = i + 1;
                break;
            }
        }
        for (var i = start; i < messages.Count; i++)
        {
            if (messages[i].Role == "assistant")
            {
                return messages[i].FirstBlockType is "thinking" or "redacted_thinking";
            }
        }
        return true;
    }

    public static bool AllowsThinking(List<AnthropicMessage> messages) =>
        AllowsThinking(messages.ConvertAll(message => new TurnMessage(
            message.Role, message.Content is [var first, ..] ? first.Type : null, message.Content?.Exists(block => block.Type == "tool_result") == true)));
}
