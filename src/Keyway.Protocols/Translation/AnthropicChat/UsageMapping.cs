using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Token usage both ways. Anthropic's <c>input_tokens</c> excludes cache reads and cache writes
/// (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance), Chat's
/// <c>prompt_tokens</c> includes cached tokens (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage).
/// </summary>
internal static class UsageMapping
{
    public static AnthropicUsage ToAnthropic(ChatUsage? usage)
    {
        if (usage is null)
        {
            return new AnthropicUsage { CacheCreationInputTokens = 0, CacheReadInputTokens = 0 };
        }

        // Math.Clamp throws when its maximum is below its minimum: a negative prompt count from a broken upstream counts as 0.
        var prompt = usage.PromptTokens ?? 0;
        var cached = Math.Clamp(usage.PromptTokensDetails?.CachedTokens ?? 0, 0, Math.Max(0, prompt));
        return new AnthropicUsage
        {
            InputTokens = prompt - cached,
            CacheCreationInputTokens = 0,
            CacheReadInputTokens = cached,
            OutputTokens = usage.CompletionTokens ?? 0,
        };
    }

    /// <summary>
    /// Chat usage as the request log records it, read the way <see cref="UsageReader.FromChatCompletion"/> reads it
    /// (a translated answer's usage comes from the translator's own read instead of a second pass over the body).
    /// </summary>
    public static TokenUsage ToTokenUsage(ChatUsage? usage) => usage is null
        ? TokenUsage.Unknown
        : new TokenUsage(usage.PromptTokens, usage.CompletionTokens, usage.PromptTokensDetails?.CachedTokens, null, usage.CompletionTokensDetails?.ReasoningTokens);

    public static ChatUsage ToChat(AnthropicUsage? usage)
    {
        var cacheRead = usage?.CacheReadInputTokens ?? 0;
        var prompt = (usage?.InputTokens ?? 0) + cacheRead + (usage?.CacheCreationInputTokens ?? 0);
        var completion = usage?.OutputTokens ?? 0;
        return new ChatUsage
        {
            PromptTokens = prompt,
            CompletionTokens = completion,
            TotalTokens = prompt + completion,
            PromptTokensDetails = new ChatPromptTokensDetails(cacheRead),
        };
    }
}
