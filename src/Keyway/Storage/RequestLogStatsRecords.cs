namespace Keyway.Storage;

/// <summary>What the stats are broken down by; each value is a fixed SQL key, never caller text.</summary>
public enum RequestLogStatsDimension
{
    Group,
    Alias,
    Provider,
    Day,

    /// <summary>UTC hour (yyyy-MM-ddTHH:00:00Z) × alias: the dashboard's time series.</summary>
    HourAndAlias,

    /// <summary>UTC day (yyyy-MM-ddT00:00:00Z) × alias.</summary>
    DayAndAlias,

    /// <summary>The issued key (api_key_id).</summary>
    Key,

    /// <summary>Visitor-key traffic ("visitor") or not ("regular").</summary>
    Visitor,
}

/// <summary>Keyway's per-key totals: rows, 2xx rows, input and output token sums, mean latency.</summary>
public sealed record RequestLogTotalsRecord(long Total, long Ok, long InputTokens, long OutputTokens, double AverageLatencyMs);

/// <summary>
/// One bucket of a breakdown. <see cref="Key"/> is the group id, provider id or UTC day
/// (yyyy-MM-dd); for <see cref="RequestLogStatsDimension.Alias"/> it is the group id and
/// <see cref="SubKey"/> the alias. Percentiles are nearest-rank; TTFB is null when no row had one.
/// </summary>
public sealed record RequestLogBucketRecord(
    string? Key,
    string? SubKey,
    long Requests,
    long Errors,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    long? LatencyP50Ms,
    long? LatencyP95Ms,
    long? TtfbP50Ms,
    long? TtfbP95Ms);
