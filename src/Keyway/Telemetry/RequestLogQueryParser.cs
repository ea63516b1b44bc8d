using System.Globalization;
using Keyway.Storage;
using Microsoft.Extensions.Primitives;

namespace Keyway.Telemetry;

/// <summary>A query-string value the admin API refuses, named so the UI can point at the field.</summary>
internal sealed record QueryFieldError(string Detail, string Field);

/// <summary>GET /admin/llm/logs after validation.</summary>
internal sealed record LogListQuery(RequestLogFilter Filter, long? Before, int Limit);

/// <summary>
/// GET /admin/llm/stats after validation. <see cref="Window"/> covers the breakdowns (last 7 days
/// unless since/until are given); <see cref="Totals"/> covers Keyway's `stats` object, which like
/// Keyway's counts all retained rows unless since/until are given.
/// </summary>
internal sealed record StatsQuery(RequestLogFilter Totals, RequestLogFilter Window);

/// <summary>GET /admin/llm/stats/series after validation: the window and its bucket (hour or day).</summary>
internal sealed record SeriesQuery(RequestLogFilter Window, RequestLogStatsDimension Bucket);

/// <summary>Turns admin query strings into storage filters, or the first invalid field.</summary>
internal static class RequestLogQueryParser
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    public static readonly TimeSpan DefaultStatsWindow = TimeSpan.FromDays(7);

    public static bool TryParseLogs(IQueryCollection query, out LogListQuery parsed, out QueryFieldError? error)
    {
        parsed = new LogListQuery(new RequestLogFilter(), null, DefaultLimit);
        if (!TryParseCommon(query, out var filter, out error)
            || !TryParseStatus(query, filter, out filter, out error)
            || !TryParsePositive(query, "limit", out var limit, out error)
            || !TryParsePositive(query, "before", out var before, out error))
        {
            return false;
        }
        filter = filter with { RouteAlias = Text(query, "alias"), ProviderId = Text(query, "provider_id") };
        // Keyway accepted limit up to 1000; a larger limit is capped rather than refused so its clients keep working.
        parsed = new LogListQuery(filter, before, (int)Math.Min(limit ?? DefaultLimit, MaxLimit));
        return true;
    }

    public static bool TryParseStats(IQueryCollection query, DateTimeOffset now, out StatsQuery parsed, out QueryFieldError? error)
    {
        parsed = new StatsQuery(new RequestLogFilter(), new RequestLogFilter());
        if (!TryParseCommon(query, out var totals, out error))
        {
            return false;
        }
        var window = totals.Since is null && totals.Until is null ? totals with { Since = now - DefaultStatsWindow } : totals;
        parsed = new StatsQuery(totals, window);
        return true;
    }

    /// <summary>bucket=hour (default; window the last 24 hours) or bucket=day (window the last 30 days), unless since/until are given.</summary>
    public static bool TryParseSeries(IQueryCollection query, DateTimeOffset now, out SeriesQuery parsed, out QueryFieldError? error)
    {
        parsed = new SeriesQuery(new RequestLogFilter(), RequestLogStatsDimension.HourAndAlias);
        if (!TryParseCommon(query, out var filter, out error))
        {
            return false;
        }
        var (bucket, defaultWindow) = Text(query, "bucket")?.ToLowerInvariant() switch
        {
            null or "hour" => (RequestLogStatsDimension.HourAndAlias, TimeSpan.FromHours(24)),
            "day" => (RequestLogStatsDimension.DayAndAlias, TimeSpan.FromDays(30)),
            _ => (default(RequestLogStatsDimension?), TimeSpan.Zero),
        };
        if (bucket is null)
        {
            error = new QueryFieldError("bucket must be \"hour\" or \"day\"", "bucket");
            return false;
        }
        var window = filter.Since is null && filter.Until is null ? filter with { Since = now - defaultWindow } : filter;
        parsed = new SeriesQuery(window, bucket.Value);
        return true;
    }

    private static bool TryParseCommon(IQueryCollection query, out RequestLogFilter filter, out QueryFieldError? error)
    {
        filter = new RequestLogFilter { ApiKeyId = Text(query, "api_key_id"), GroupId = Text(query, "group_id"), InstanceId = Text(query, "instance_id") };
        if (!TryParseTime(query, "since", out var since, out error) || !TryParseTime(query, "until", out var until, out error))
        {
            return false;
        }
        if (since > until)
        {
            error = new QueryFieldError("until must not be earlier than since", "until");
            return false;
        }
        filter = filter with { Since = since, Until = until };
        return true;
    }

    private static bool TryParseStatus(IQueryCollection query, RequestLogFilter filter, out RequestLogFilter parsed, out QueryFieldError? error)
    {
        parsed = filter;
        error = null;
        switch (Text(query, "status")?.ToLowerInvariant())
        {
            case null:
                return true;
            case "ok":
                parsed = filter with { Succeeded = true };
                return true;
            case "error":
                parsed = filter with { Succeeded = false };
                return true;
            case var code when int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 100 and <= 599:
                parsed = filter with { StatusCode = status };
                return true;
            default:
                error = new QueryFieldError("status must be an HTTP status code (100-599), \"ok\" (2xx) or \"error\" (not 2xx)", "status");
                return false;
        }
    }

    private static bool TryParsePositive(IQueryCollection query, string field, out long? value, out QueryFieldError? error)
    {
        value = null;
        error = null;
        var text = Text(query, field);
        if (text is null)
        {
            return true;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
        {
            value = parsed;
            return true;
        }
        error = new QueryFieldError($"{field} must be a positive integer", field);
        return false;
    }

    /// <summary>ISO-8601 (a time without an offset is UTC) or unix milliseconds.</summary>
    private static bool TryParseTime(IQueryCollection query, string field, out DateTimeOffset? value, out QueryFieldError? error)
    {
        value = null;
        error = null;
        var text = Text(query, field);
        if (text is null)
        {
            return true;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs) && unixMs <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }
        error = new QueryFieldError($"{field} must be an ISO-8601 time (e.g. 2025-01-31T00:00:00Z) or unix milliseconds", field);
        return false;
    }

    private static string? Text(IQueryCollection query, string field) =>
        query.TryGetValue(field, out StringValues values) && !string.IsNullOrWhiteSpace(values.ToString()) ? values.ToString().Trim() : null;
}
