namespace Keyway.Protocols.Usage;

/// <summary>
/// The cached prompt tokens of a Chat usage object. OpenAI, Qwen and GLM report them as
/// <c>prompt_tokens_details.cached_tokens</c> (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage);
/// DeepSeek as <c>prompt_cache_hit_tokens</c> (https://api-docs.deepseek.com/guides/kv_cache), where a
/// <c>cached_tokens</c> it may also send stays 0. Both name the same tokens, so the larger of the two is the count.
/// </summary>
internal static class ChatCachedTokens
{
    public static long? Of(long? cachedTokens, long? promptCacheHitTokens) =>
        cachedTokens is { } cached && promptCacheHitTokens is { } hits ? Math.Max(cached, hits) : cachedTokens ?? promptCacheHitTokens;
}
