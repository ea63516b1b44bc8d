using Keyway.Storage;
using Keyway.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Keyway.Admin;

/// <summary>GET /admin/llm/logs, /admin/llm/stats and /admin/llm/stats/series, in Keyway's shapes plus our fields.</summary>
public static class RequestLogAdminEndpoints
{
    /// <summary>Maps the endpoints on an /admin group that is already authenticated.</summary>
    public static RouteGroupBuilder MapRequestLogAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/logs", ListLogsAsync);
        admin.MapGet("/llm/stats", GetStatsAsync);
        admin.MapGet("/llm/stats/series", GetSeriesAsync);
        return admin;
    }

    private static async Task<Results<JsonHttpResult<RequestLogListResponse>, JsonHttpResult<QueryFieldError>>> ListLogsAsync(
        HttpRequest request, RequestLogRepository logs, CancellationToken cancellationToken)
    {
        if (!RequestLogQueryParser.TryParseLogs(request.Query, out var query, out var error))
        {
            return BadRequest(error!);
        }
        var page = await logs.QueryAsync(query.Filter, query.Before, query.Limit, cancellationToken);
        var response = new RequestLogListResponse(true, page.Rows.Select(RequestLogView.From).ToList(), page.NextCursor);
        return TypedResults.Json(response, TelemetryJsonContext.Default.RequestLogListResponse);
    }

    private static async Task<Results<JsonHttpResult<RequestStatsResponse>, JsonHttpResult<QueryFieldError>>> GetStatsAsync(
        HttpRequest request, RequestLogStatsRepository stats, SingleFlight<string, RequestStatsResponse> flights, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!RequestLogQueryParser.TryParseStats(request.Query, time.GetUtcNow(), out var query, out var error))
        {
            return BadRequest(error!);
        }
        var response = await flights.RunAsync(SharedKey(request), async () =>
        {
            var totals = await stats.GetTotalsAsync(query.Totals, CancellationToken.None);
            var breakdowns = await stats.GetBreakdownsAsync(StatsDimensions, query.Window, CancellationToken.None);
            var (byGroup, byAlias, byProvider, byDay, byKey, byVisitor) =
                (breakdowns[0], breakdowns[1], breakdowns[2], breakdowns[3], breakdowns[4], breakdowns[5]);
            return new RequestStatsResponse(
                true,
                KeyStatsView.From(totals),
                byGroup.Select(b => new GroupStatsView(b.Key, b)).ToList(),
                byAlias.Select(b => new AliasStatsView(b.Key, b.SubKey, b)).ToList(),
                byProvider.Select(b => new ProviderStatsView(b.Key, b)).ToList(),
                byDay.Select(b => new DayStatsView(b.Key, b)).ToList(),
                byKey.Select(b => new KeyBucketView(b.Key, b)).ToList(),
                byVisitor.Select(b => new VisitorStatsView(b.Key == "visitor", b)).ToList());
        }, cancellationToken);
        return TypedResults.Json(response, TelemetryJsonContext.Default.RequestStatsResponse);
    }

    private static async Task<Results<JsonHttpResult<StatsSeriesResponse>, JsonHttpResult<QueryFieldError>>> GetSeriesAsync(
        HttpRequest request, RequestLogStatsRepository stats, SingleFlight<string, StatsSeriesResponse> flights, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!RequestLogQueryParser.TryParseSeries(request.Query, time.GetUtcNow(), out var query, out var error))
        {
            return BadRequest(error!);
        }
        var response = await flights.RunAsync(SharedKey(request), async () =>
        {
            var breakdowns = await stats.GetBreakdownsAsync([query.Bucket, RequestLogStatsDimension.Key], query.Window, CancellationToken.None);
            var (points, byKey) = (breakdowns[0], breakdowns[1]);
            return new StatsSeriesResponse(
                true,
                query.Bucket == RequestLogStatsDimension.DayAndAlias ? "day" : "hour",
                points.Select(b => new SeriesPointView(b.Key, b.SubKey, b)).ToList(),
                byKey.Select(b => new KeyBucketView(b.Key, b)).ToList());
        }, cancellationToken);
        return TypedResults.Json(response, TelemetryJsonContext.Default.StatsSeriesResponse);
    }

    /// <summary>What /admin/llm/stats breaks its window down by, in the order its handler reads them.</summary>
    private static readonly RequestLogStatsDimension[] StatsDimensions =
    [
        RequestLogStatsDimension.Group, RequestLogStatsDimension.Alias, RequestLogStatsDimension.Provider,
        RequestLogStatsDimension.Day, RequestLogStatsDimension.Key, RequestLogStatsDimension.Visitor,
    ];

    /// <summary>
    /// The request's path and query, its parameters in one order, for <see cref="SingleFlight{TKey, TValue}"/>: reads of
    /// the same stats at once get one answer, computed from the first one's time (a default window ends at its now).
    /// </summary>
    private static string SharedKey(HttpRequest request) =>
        request.Path + "?" + string.Join("&", request.Query
            .OrderBy(parameter => parameter.Key, StringComparer.Ordinal)
            .SelectMany(parameter => parameter.Value.Select(value => Uri.EscapeDataString(parameter.Key) + "=" + Uri.EscapeDataString(value ?? ""))));

    private static JsonHttpResult<QueryFieldError> BadRequest(QueryFieldError error) =>
        TypedResults.Json(error, TelemetryJsonContext.Default.QueryFieldError, statusCode: StatusCodes.Status400BadRequest);
}
