using Keyway.Telemetry;

namespace Keyway.Gateway;

/// <summary>
/// Applies an issued key's policy to each request (HTTP, or a response on a Responses WebSocket) from memory only:
/// allowed aliases and visitor routes (403), then the daily and monthly token budgets, max_concurrency, rpm and tpm
/// (429), each over the counts of all instances as last exchanged. <see cref="Complete"/> counts what the request used,
/// from its log row, for the budgets and the token window.
/// </summary>
public sealed class KeyPolicyGate(KeyUsageCounters usage, KeyRateWindows windows, TimeProvider time)
{
    internal KeyAdmission Admit(IssuedKeyEntry key, RouteEntry route)
    {
        var policy = key.Policy;
        var now = time.GetUtcNow();
        if (Check(key, route, now) is { } refusal)
        {
            return new KeyAdmission(refusal, null, false, null);
        }
        if (!policy.HasRateLimits())
        {
            return KeyAdmission.Open;
        }
        var window = windows.For(key.KeyId);
        var holdsPlace = policy.MaxConcurrency is not null;
        if (policy.MaxConcurrency is { } max && !window.TryEnter(max, now))
        {
            var busy = new KeyRefusal(StatusCodes.Status429TooManyRequests, KeyPolicyMessages.Concurrency(max), "rate_limit_exceeded", TimeSpan.FromSeconds(1));
            return new KeyAdmission(busy, null, false, null);
        }
        var rate = window.TryCount(policy.Rpm, policy.Tpm, now);
        if (rate.Refused == RateRefusal.None)
        {
            return new KeyAdmission(null, window, holdsPlace, rate);
        }
        if (holdsPlace)
        {
            window.Leave();
        }
        var wait = rate.ResetAt - now;
        var message = rate.Refused == RateRefusal.Requests
            ? KeyPolicyMessages.RequestsPerMinute(policy.Rpm!.Value, wait)
            : KeyPolicyMessages.TokensPerMinute(policy.Tpm!.Value, wait);
        return new KeyAdmission(new KeyRefusal(StatusCodes.Status429TooManyRequests, message, "rate_limit_exceeded", wait), null, false, rate);
    }

    /// <summary>The request is over: gives back its concurrency place and counts its usage (no I/O).</summary>
    internal void Complete(KeyAdmission? admission, RequestLogEntry entry)
    {
        usage.Record(entry);
        if (admission?.Window is not { } window)
        {
            return;
        }
        if (admission.HoldsPlace)
        {
            window.Leave();
        }
        var tokens = (entry.InputTokens ?? 0) + (entry.OutputTokens ?? 0);
        if (tokens > 0)
        {
            window.AddTokens(tokens, time.GetUtcNow());
        }
    }

    /// <summary>
    /// The checks that count nothing: allowed alias, visitor route and budgets. A Responses WebSocket runs only these when
    /// it connects (its responses are counted as they end).
    /// </summary>
    internal KeyRefusal? Check(IssuedKeyEntry key, RouteEntry route, DateTimeOffset now)
    {
        var policy = key.Policy;
        if (!policy.AllowsAlias(route.Alias))
        {
            return new KeyRefusal(StatusCodes.Status403Forbidden, KeyPolicyMessages.AliasNotAllowed(route.Alias), "model_not_allowed");
        }
        if (policy.Visitor && !route.ServesVisitors)
        {
            return new KeyRefusal(StatusCodes.Status403Forbidden, KeyPolicyMessages.NotForVisitors(route.Alias, route.AllowsVisitors), "model_not_allowed");
        }
        return policy.DailyTokenBudget is null && policy.MonthlyTokenBudget is null ? null : BudgetRefusal(key, now);
    }

    private KeyRefusal? BudgetRefusal(IssuedKeyEntry key, DateTimeOffset now)
    {
        var policy = key.Policy;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (policy.DailyTokenBudget is { } daily && usage.DayTokens(key.KeyId, today) >= daily)
        {
            var tomorrow = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return new KeyRefusal(
                StatusCodes.Status429TooManyRequests, KeyPolicyMessages.BudgetSpent("daily", daily, tomorrow), "insufficient_quota", tomorrow - now);
        }
        if (policy.MonthlyTokenBudget is { } monthly && usage.MonthTokens(key.KeyId, today) >= monthly)
        {
            var nextMonth = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            return new KeyRefusal(
                StatusCodes.Status429TooManyRequests, KeyPolicyMessages.BudgetSpent("monthly", monthly, nextMonth), "insufficient_quota", nextMonth - now);
        }
        return null;
    }
}
