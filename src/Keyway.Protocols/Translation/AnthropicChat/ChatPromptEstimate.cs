using System.Text;
using Keyway.Protocols.Anthropic;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// The prompt size a translated stream's <c>message_start</c> carries before the Chat upstream reports one (the real
/// count follows in <c>message_delta</c>): <see cref="TokenEstimator"/>'s rule, one token per
/// <see cref="TokenEstimator.BytesPerToken"/> UTF-8 bytes as written in the JSON, summed over the translated request's
/// parts while they are at hand. Counted: each message's content (a string whole, in parts their texts, so an image adds
/// nothing) and reasoning, its tool calls' names and arguments; each tool's name, description and parameters (as JSON
/// text); the overheads per request, message and tool. Read back from the written body instead, Claude Code's 88 KB
/// request was walked a third time, 7% of a translated stream's CPU (bench/RESULTS.md).
/// </summary>
internal static class ChatPromptEstimate
{
    public static int Of(ChatRequest chat)
    {
        var tokens = TokenEstimator.BaseOverhead;
        foreach (var message in chat.Messages ?? [])
        {
            tokens += TokenEstimator.PerMessageOverhead + Content(message.Content) + Text(message.ReasoningContent);
            foreach (var call in message.ToolCalls ?? [])
            {
                tokens += Text(call.Function?.Name) + Text(call.Function?.Arguments);
            }
        }
        foreach (var tool in chat.Tools ?? [])
        {
            var function = tool.Function;
            tokens += TokenEstimator.PerToolOverhead + Text(function?.Name) + Text(function?.Description) + Json(function?.Parameters);
        }
        return tokens;
    }

    private static int Content(RawJsonValue? content) => content switch
    {
        null => 0,
        _ when content.AsString() is { } text => Text(text),
        _ => TokenEstimator.EstimateTextTokens(content.Utf8),
    };

    private static int Text(RawJsonString? text) => text is null ? 0 : TokenEstimator.ForUtf8Length(text.Content.Length);

    private static int Json(RawJsonValue? value) => value is null ? 0 : TokenEstimator.ForUtf8Length(value.Utf8.Length);

    private static int Text(string? text) => text is null ? 0 : TokenEstimator.ForUtf8Length(Encoding.UTF8.GetByteCount(text));
}
