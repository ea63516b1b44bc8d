using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A Chat completion (https://platform.openai.com/docs/api-reference/chat/object) as an Anthropic message
/// (https://docs.anthropic.com/en/api/messages#response). Block order: thinking (from <c>reasoning_content</c>), text,
/// then one tool_use per tool call. Only <c>choices[0]</c> is read (the request never asks for n &gt; 1).
/// </summary>
public static class ChatResponseToAnthropic
{
    public static byte[] Translate(ReadOnlySpan<byte> chatResponse, TranslatedRequest request, TranslationContext ctx) =>
        Translate(chatResponse, request, ctx, out _);

    /// <summary>The answer, and in <paramref name="upstreamUsage"/> the completion's usage as the request log records it.</summary>
    public static byte[] Translate(ReadOnlySpan<byte> chatResponse, TranslatedRequest request, TranslationContext ctx, out TokenUsage? upstreamUsage)
    {
        var response = ChatReader.ReadCompletion(chatResponse);
        upstreamUsage = UsageMapping.ToTokenUsage(response.Usage);
        var choice = response.Choices.FirstOrDefault() ?? throw new TranslationException("The upstream chat completion has no choices.");
        if (BrokenOffAnswer.IsFinishReason(choice.FinishReason))
        {
            throw TranslationException.BrokeOff(BrokenOffAnswer.Message);
        }

        var message = choice.Delta ?? new ChatDelta();
        var content = new List<AnthropicBlock>();
        if (!string.IsNullOrEmpty(message.ReasoningContent))
        {
            content.Add(AnthropicBlocks.Thinking(message.ReasoningContent));
        }

        if (!string.IsNullOrEmpty(message.Content))
        {
            content.Add(AnthropicBlocks.Text(message.Content));
        }

        foreach (var call in message.ToolCalls ?? [])
        {
            content.Add(AnthropicBlocks.ToolUse(call.Id, call.Function?.Name, call.Function?.Arguments, request.ToolNames));
        }

        var matchedStop = StopReasons.MatchedStop(choice.StopReason, choice.MatchedStop);
        var stopReason = StopReasons.ToAnthropic(choice.FinishReason, matchedStop);
        var anthropic = new AnthropicResponse
        {
            Id = ctx.ResponseId,
            Model = ctx.ClientModel,
            Content = content,
            StopReason = stopReason,
            StopSequence = stopReason == "stop_sequence" ? matchedStop : null,
            Usage = UsageMapping.ToAnthropic(response.Usage),
        };
        return TranslationJson.Serialize(anthropic, AnthropicChatJsonContext.Default.AnthropicResponse);
    }
}
