namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// An Anthropic message (https://docs.anthropic.com/en/api/messages#response) as a Chat completion
/// (https://platform.openai.com/docs/api-reference/chat/object): text blocks → <c>content</c> (null when the answer
/// is only tool calls), thinking blocks → <c>reasoning_content</c> (the DeepSeek/GLM/Qwen field) and, with their
/// signatures, thinking and redacted_thinking blocks → <c>thinking_blocks</c> (LiteLLM's field, which a client sends back
/// on the assistant message so the tool loop keeps its thinking), tool_use → <c>tool_calls</c>. Dropped: server tool
/// blocks (server_tool_use, web_search_tool_result…) and citations.
/// </summary>
public static class AnthropicResponseToChat
{
    public static byte[] Translate(ReadOnlyMemory<byte> anthropicResponse, TranslatedRequest request, TranslationContext ctx)
    {
        var response = TranslationJson.Parse(anthropicResponse, AnthropicChatJsonContext.Default.AnthropicResponse, "upstream Anthropic message");
        if (response.Type == "error")
        {
            // Anthropic's error shape with status 200 is no message: translated, it would be an empty answer.
            throw new TranslationException("The upstream answered an error instead of a message.");
        }
        var text = new RawTextJoiner(RawTextJoiner.Nothing);
        var reasoning = new RawTextJoiner(RawTextJoiner.Nothing);
        var toolCalls = new List<ChatToolCall>();
        var thinkingBlocks = new List<ChatThinkingBlock>();

        foreach (var block in response.Content ?? [])
        {
            switch (block.Type)
            {
                case "text":
                    text.Add(block.Text);
                    break;
                case "thinking":
                    reasoning.Add(block.Thinking);
                    thinkingBlocks.Add(new ChatThinkingBlock { Type = "thinking", Thinking = block.Thinking, Signature = block.Signature });
                    break;
                case "redacted_thinking":
                    thinkingBlocks.Add(new ChatThinkingBlock { Type = "redacted_thinking", Data = block.Data });
                    break;
                case "tool_use":
                    toolCalls.Add(ToolCall(block, request.ToolNames));
                    break;
            }
        }

        var chat = new ChatResponse
        {
            Id = ctx.ResponseId,
            Created = ctx.CreatedUnixSeconds,
            Model = ctx.ClientModel,
            Choices =
            [
                new ChatChoice
                {
                    Index = 0,
                    Message = new ChatMessage
                    {
                        Role = "assistant",
                        Content = !text.IsEmpty || toolCalls.Count == 0 ? text.Join().AsValue() : null,
                        ReasoningContent = reasoning.IsEmpty ? null : reasoning.Join(),
                        ThinkingBlocks = thinkingBlocks.FindAll(block => block.IsSigned) is { Count: > 0 } signed ? signed : null,
                        ToolCalls = toolCalls.Count > 0 ? toolCalls : null,
                    },
                    FinishReason = StopReasons.ToChat(response.StopReason),
                },
            ],
            Usage = UsageMapping.ToChat(response.Usage),
        };
        return TranslationJson.Serialize(chat, AnthropicChatJsonContext.Default.ChatResponse);
    }

    private static ChatToolCall ToolCall(AnthropicBlock block, ToolNameMap names) => new()
    {
        Id = block.Id,
        Type = "function",
        Function = new ChatFunctionCall
        {
            Name = string.IsNullOrEmpty(block.Name) ? throw new TranslationException(TranslationException.NamelessToolCall) : names.ClientName(block.Name),
            Arguments = TranslationJson.ToText(block.Input),
        },
    };
}
