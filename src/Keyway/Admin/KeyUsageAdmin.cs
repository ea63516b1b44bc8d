using System.Globalization;
using Keyway.Gateway;
using Keyway.Storage;
using Keyway.Telemetry;

namespace Keyway.Admin;

/// <summary>
/// GET /admin/llm/keys/{id}/usage: an issued key's requests, errors, tokens by kind and remaining budgets; GET
/// /admin/llm/groups/{id}/keys/usage: today's and this month's of every key of a group, with its rate window, in one call.
/// </summary>
internal static class KeyUsageAdmin
{
    private const int MaxRangeDays = 3660;

    public static void MapKeyUsageAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/keys/{keyId}/usage", GetAsync);
        admin.MapGet("/llm/groups/{groupId}/keys/usage", ListAsync);
    }

    private static async Task<IResult> GetAsync(
        string keyId, HttpRequest request, IssuedKeyRepository keys, KeyUsageRepository usage, KeyUsageCounters counters, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var key = await keys.RequireKeyAsync(keyId, cancellationToken);
        var range = Range(request.Query);
        // This instance's latest counts go to the database first, so the sums below include them.
        await counters.SyncAsync(cancellationToken);
        var days = UsageDays.At(time.GetUtcNow());
        var todayFigures = await SumAsync(usage, keyId, days.Today, days.Today, cancellationToken);
        var monthFigures = await SumAsync(usage, keyId, days.MonthStart, days.MonthEnd, cancellationToken);
        var rangeResponse = range is { } r
            ? KeyUsagePeriodResponse.Of(r.From, r.To, await SumAsync(usage, keyId, r.From, r.To, cancellationToken))
            : null;
        return TypedResults.Json(
            new KeyUsageEnvelope(keyId, key.Policy.Visitor, days.TodayOf(todayFigures, key.Policy), days.MonthOf(monthFigures, key.Policy), rangeResponse),
            AdminJsonContext.Default.KeyUsageEnvelope);
    }

    /// <summary>One sum per period for the whole group (not one call per key), and each key's rate window from memory.</summary>
    private static async Task<IResult> ListAsync(
        string groupId, GroupRepository groups, IssuedKeyRepository keys, KeyUsageRepository usage, KeyUsageCounters counters,
        KeyRateWindows windows, TimeProvider time, CancellationToken cancellationToken)
    {
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var list = await keys.ListByGroupAsync(groupId, cancellationToken);
        await counters.SyncAsync(cancellationToken);
        var now = time.GetUtcNow();
        var days = UsageDays.At(now);
        var today = await usage.SumByKeyAsync(groupId, KeyUsageCounters.Text(days.Today), KeyUsageCounters.Text(days.Today), cancellationToken);
        var month = await usage.SumByKeyAsync(groupId, KeyUsageCounters.Text(days.MonthStart), KeyUsageCounters.Text(days.MonthEnd), cancellationToken);
        var items = list.Select(key => new KeyUsageItem(
            key.KeyId,
            key.Name,
            days.TodayOf(today.GetValueOrDefault(key.KeyId, KeyUsageFigures.Zero), key.Policy),
            days.MonthOf(month.GetValueOrDefault(key.KeyId, KeyUsageFigures.Zero), key.Policy),
            key.Policy.HasRateLimits() ? KeyRateResponse.Of(windows.Read(key.KeyId, now), key.Policy) : null)).ToList();
        return TypedResults.Json(new KeyUsageListEnvelope(items), AdminJsonContext.Default.KeyUsageListEnvelope);
    }

    private static Task<KeyUsageFigures> SumAsync(KeyUsageRepository usage, string keyId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        usage.SumAsync(keyId, KeyUsageCounters.Text(from), KeyUsageCounters.Text(to), cancellationToken);

    /// <summary>The UTC day and month the budgets count at a moment, and each period's figures against its budget.</summary>
    private readonly record struct UsageDays(DateOnly Today, DateOnly MonthStart, DateOnly MonthEnd)
    {
        public static UsageDays At(DateTimeOffset now)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var monthStart = new DateOnly(today.Year, today.Month, 1);
            return new(today, monthStart, monthStart.AddMonths(1).AddDays(-1));
        }

        public KeyUsagePeriodResponse TodayOf(KeyUsageFigures figures, IssuedKeyPolicy policy) =>
            KeyUsagePeriodResponse.Of(Today, Today, figures, policy.DailyTokenBudget, Midnight(Today.AddDays(1)));

        public KeyUsagePeriodResponse MonthOf(KeyUsageFigures figures, IssuedKeyPolicy policy) =>
            KeyUsagePeriodResponse.Of(MonthStart, MonthEnd, figures, policy.MonthlyTokenBudget, Midnight(MonthEnd.AddDays(1)));
    }

    private static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary><c>from</c> and <c>to</c> (yyyy-MM-dd, UTC, inclusive) must come together; neither means no range.</summary>
    private static (DateOnly From, DateOnly To)? Range(IQueryCollection query)
    {
        var from = query["from"].ToString();
        var to = query["to"].ToString();
        if (from.Length == 0 && to.Length == 0)
        {
            return null;
        }
        var first = Day(from, "from");
        var last = Day(to, "to");
        if (last < first || last.DayNumber - first.DayNumber > MaxRangeDays)
        {
            throw AdminProblem.BadRequest($"to must not be before from, and the range at most {MaxRangeDays} days", "to");
        }
        return (first, last);
    }

    private static DateOnly Day(string text, string field) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw AdminProblem.BadRequest($"{field} must be a UTC day as yyyy-MM-dd (from and to come together)", field);
}
