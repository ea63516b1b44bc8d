using System.Globalization;
using Keyway.Storage;
using Keyway.Telemetry;

namespace Keyway.Admin;

/// <summary>GET /admin/llm/keys/{id}/usage: an issued key's requests, errors, tokens by kind and remaining budgets.</summary>
internal static class KeyUsageAdmin
{
    private const int MaxRangeDays = 3660;

    public static void MapKeyUsageAdmin(this RouteGroupBuilder admin) => admin.MapGet("/llm/keys/{keyId}/usage", GetAsync);

    private static async Task<IResult> GetAsync(
        string keyId, HttpRequest request, IssuedKeyRepository keys, KeyUsageRepository usage, KeyUsageCounters counters, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var key = await keys.RequireKeyAsync(keyId, cancellationToken);
        var range = Range(request.Query);
        // This instance's latest counts go to the database first, so the sums below include them.
        await counters.SyncAsync(cancellationToken);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var monthEnd = monthStart.AddMonths(1).AddDays(-1);
        var todayFigures = await SumAsync(usage, keyId, today, today, cancellationToken);
        var monthFigures = await SumAsync(usage, keyId, monthStart, monthEnd, cancellationToken);
        var rangeResponse = range is { } r
            ? KeyUsagePeriodResponse.Of(r.From, r.To, await SumAsync(usage, keyId, r.From, r.To, cancellationToken))
            : null;
        return TypedResults.Json(
            new KeyUsageEnvelope(
                keyId,
                key.Policy.Visitor,
                KeyUsagePeriodResponse.Of(today, today, todayFigures, key.Policy.DailyTokenBudget, Midnight(today.AddDays(1))),
                KeyUsagePeriodResponse.Of(monthStart, monthEnd, monthFigures, key.Policy.MonthlyTokenBudget, Midnight(monthEnd.AddDays(1))),
                rangeResponse),
            AdminJsonContext.Default.KeyUsageEnvelope);
    }

    private static Task<KeyUsageFigures> SumAsync(KeyUsageRepository usage, string keyId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        usage.SumAsync(keyId, KeyUsageCounters.Text(from), KeyUsageCounters.Text(to), cancellationToken);

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
