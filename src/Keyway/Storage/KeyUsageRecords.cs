namespace Keyway.Storage;

/// <summary>What an issued key used in some period: requests, error answers (status ≥ 400) and tokens by kind.</summary>
public sealed record KeyUsageFigures(
    long Requests, long Errors, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, long ReasoningTokens)
{
    public static KeyUsageFigures Zero { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>What budgets count: input + output tokens.</summary>
    public long BudgetTokens => InputTokens + OutputTokens;

    public KeyUsageFigures Plus(KeyUsageFigures other) => new(
        Requests + other.Requests, Errors + other.Errors, InputTokens + other.InputTokens, OutputTokens + other.OutputTokens,
        CacheReadTokens + other.CacheReadTokens, CacheWriteTokens + other.CacheWriteTokens, ReasoningTokens + other.ReasoningTokens);
}

/// <summary>One key's usage on one UTC day (yyyy-MM-dd).</summary>
public sealed record KeyUsageDay(string KeyId, string Day, KeyUsageFigures Figures);
