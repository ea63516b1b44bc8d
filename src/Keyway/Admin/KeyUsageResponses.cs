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

/// <summary>
/// An issued key's rpm/tpm window and requests in flight as its limits count them now (this instance exactly, the others
/// as last exchanged), each against its limit and what is left of it (null: no limit); <c>resets_at</c>: when the window
/// ends (null: none running).
/// </summary>
public sealed record KeyRateResponse(
    long Requests, int? Rpm, long? RemainingRequests, long Tokens, long? Tpm, long? RemainingTokens, long InFlight, int? MaxConcurrency,
    DateTimeOffset? ResetsAt)
{
    public static KeyRateResponse Of(Gateway.KeyRateNow now, IssuedKeyPolicy policy) => new(
        now.Requests, policy.Rpm, policy.Rpm is { } rpm ? Math.Max(0, rpm - now.Requests) : null,
        now.Tokens, policy.Tpm, policy.Tpm is { } tpm ? Math.Max(0, tpm - now.Tokens) : null,
        now.InFlight, policy.MaxConcurrency, now.ResetAt);
}

/// <summary>
/// One issued key of GET /admin/llm/groups/{id}/keys/usage: today and this month as in …/keys/{id}/usage, and its rate
/// window (null for a key without rpm, tpm and max_concurrency: the gateway counts no window for it).
/// </summary>
public sealed record KeyUsageItem(string KeyId, string Name, KeyUsagePeriodResponse Today, KeyUsagePeriodResponse Month, KeyRateResponse? Minute);

/// <summary>GET /admin/llm/groups/{id}/keys/usage: every key of the group, in the order of the group's key list.</summary>
public sealed record KeyUsageListEnvelope(IReadOnlyList<KeyUsageItem> Usage) : OkEnvelope;
