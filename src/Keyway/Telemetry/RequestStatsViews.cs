using System.Text.Json.Serialization;
using Keyway.Storage;

namespace Keyway.Telemetry;

/// <summary>GET /admin/llm/stats: Keyway's `stats` object plus the breakdowns.</summary>
internal sealed record RequestStatsResponse(
    bool Ok,
    KeyStatsView Stats,
    IReadOnlyList<GroupStatsView> ByGroup,
    IReadOnlyList<AliasStatsView> ByAlias,
    IReadOnlyList<ProviderStatsView> ByProvider,
    IReadOnlyList<DayStatsView> ByDay,
    IReadOnlyList<KeyBucketView> ByKey,
    IReadOnlyList<VisitorStatsView> ByVisitor);

/// <summary>Keyway's shape: rows, 2xx rows, input and output token sums, mean latency in ms.</summary>
internal sealed record KeyStatsView(long Total, long Ok, long ReqT, long RespT, double AvgLatency)
{
    public static KeyStatsView From(RequestLogTotalsRecord totals) =>
        new(totals.Total, totals.Ok, totals.InputTokens, totals.OutputTokens, totals.AverageLatencyMs);
}

/// <summary>The figures every breakdown item carries after its key field(s).</summary>
internal abstract record StatsBucketView([property: JsonIgnore] RequestLogBucketRecord Figures)
{
    public long Requests => Figures.Requests;
    public long Errors => Figures.Errors;
    public long InputTokens => Figures.InputTokens;
    public long OutputTokens => Figures.OutputTokens;
    public long CacheReadTokens => Figures.CacheReadTokens;
    public long CacheWriteTokens => Figures.CacheWriteTokens;
    public long ReasoningTokens => Figures.ReasoningTokens;
    public long? LatencyP50Ms => Figures.LatencyP50Ms;
    public long? LatencyP95Ms => Figures.LatencyP95Ms;
    public long? TtfbP50Ms => Figures.TtfbP50Ms;
    public long? TtfbP95Ms => Figures.TtfbP95Ms;
}

internal sealed record GroupStatsView([property: JsonPropertyOrder(-1)] string? GroupId, RequestLogBucketRecord Figures) : StatsBucketView(Figures);

internal sealed record AliasStatsView(
    [property: JsonPropertyOrder(-1)] string? GroupId, [property: JsonPropertyOrder(-1)] string? RouteAlias, RequestLogBucketRecord Figures)
    : StatsBucketView(Figures);

internal sealed record ProviderStatsView([property: JsonPropertyOrder(-1)] string? ProviderId, RequestLogBucketRecord Figures) : StatsBucketView(Figures);

/// <summary>One UTC day, yyyy-MM-dd.</summary>
internal sealed record DayStatsView([property: JsonPropertyOrder(-1)] string? Day, RequestLogBucketRecord Figures) : StatsBucketView(Figures);

/// <summary>Visitor-key traffic (<c>visitor: true</c>) and the rest.</summary>
internal sealed record VisitorStatsView([property: JsonPropertyOrder(-1)] bool Visitor, RequestLogBucketRecord Figures) : StatsBucketView(Figures);

/// <summary>GET /admin/llm/stats/series: per time bucket × alias, and per issued key, over the window.</summary>
internal sealed record StatsSeriesResponse(bool Ok, string Bucket, IReadOnlyList<SeriesPointView> Series, IReadOnlyList<KeyBucketView> ByKey);

/// <summary>One bucket's start (UTC, ISO-8601) and alias.</summary>
internal sealed record SeriesPointView(
    [property: JsonPropertyOrder(-1)] string? Time, [property: JsonPropertyOrder(-1)] string? RouteAlias, RequestLogBucketRecord Figures)
    : StatsBucketView(Figures);

internal sealed record KeyBucketView([property: JsonPropertyOrder(-1)] string? ApiKeyId, RequestLogBucketRecord Figures) : StatsBucketView(Figures);
