namespace Keyway.Protocols.Usage;

/// <summary>
/// Token counts as the upstream reported them; null means the upstream did not say (never read it as zero).
/// Counts keep the upstream's own meaning: OpenAI's prompt_tokens include cached tokens, Anthropic's
/// input_tokens exclude cache reads and writes.
/// </summary>
public sealed record TokenUsage(
    long? InputTokens,
    long? OutputTokens,
    long? CacheReadTokens,
    long? CacheWriteTokens,
    long? ReasoningTokens)
{
    public static TokenUsage Unknown { get; } = new(null, null, null, null, null);

    /// <summary>Fields <paramref name="later"/> reports replace ours; fields it leaves out keep our value.</summary>
    public TokenUsage MergedWith(TokenUsage later) => new(
        later.InputTokens ?? InputTokens,
        later.OutputTokens ?? OutputTokens,
        later.CacheReadTokens ?? CacheReadTokens,
        later.CacheWriteTokens ?? CacheWriteTokens,
        later.ReasoningTokens ?? ReasoningTokens);
}
