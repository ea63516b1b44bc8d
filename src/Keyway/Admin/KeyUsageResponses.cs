using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// What an issued key used from <c>from</c> to <c>to</c> (UTC days, inclusive), across every instance; for today and this
/// month also its token budget (null: none), what is left of it and when it resets.
/// </summary>
public sealed record KeyUsagePeriodResponse(
    string From,
    string To,
    long Requests,
    long Errors,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    long TotalTokens,
    long? TokenBudget,
    long? RemainingTokens,
    DateTimeOffset? ResetsAt)
{
    public static KeyUsagePeriodResponse Of(DateOnly from, DateOnly to, KeyUsageFigures figures, long? budget = null, DateTimeOffset? resetsAt = null) => new(
        Telemetry.KeyUsageCounters.Text(from), Telemetry.KeyUsageCounters.Text(to), figures.Requests, figures.Errors, figures.InputTokens,
        figures.OutputTokens, figures.CacheReadTokens, figures.CacheWriteTokens, figures.ReasoningTokens, figures.BudgetTokens,
        budget, budget is { } b ? Math.Max(0, b - figures.BudgetTokens) : null, budget is null ? null : resetsAt);
}

/// <summary>GET /admin/llm/keys/{id}/usage: today, this month, and the range asked for (null without <c>from</c>/<c>to</c>).</summary>
public sealed record KeyUsageEnvelope(
    string KeyId, bool Visitor, KeyUsagePeriodResponse Today, KeyUsagePeriodResponse Month, KeyUsagePeriodResponse? Range) : OkEnvelope;
