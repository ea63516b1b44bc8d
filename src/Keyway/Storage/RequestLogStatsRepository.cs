using System.Data.Common;

namespace Keyway.Storage;

/// <summary>
/// Aggregates over request_logs. Percentiles are nearest ranks (the ⌈p·n/100⌉-th smallest value). PostgreSQL computes
/// each breakdown in SQL, its percentile_disc picking that rank (on 79,000 rows a breakdown took 4.5 s with a ROW_NUMBER
/// window sort spilling to disk, 0.22 s with percentile_disc). SQLite, without a percentile function and sorting every
/// row for a GROUP BY, gets all the breakdowns of a call from one read of the rows (<see cref="SqliteBreakdowns"/>).
/// Sums are cast to BIGINT: PostgreSQL's SUM of a BIGINT is NUMERIC.
/// Counts and sums add the daily roll-up of pruned rows (request_log_days) for the days the range touches, unless the
/// filter or the buckets need what it does not keep (<see cref="RequestLogSql.RolledUpWhere"/>, hours); percentiles
/// come from raw rows only, so they are null for a day with none left.
/// </summary>
public sealed class RequestLogStatsRepository(IDbConnectionFactory connections)
{
    public async Task<RequestLogTotalsRecord> GetTotalsAsync(RequestLogFilter filter, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>();
        var where = RequestLogSql.Where(filter, parameters);
        var rolledUp = RolledUpRows("", "requests, errors, input_tokens, output_tokens, latency_ms_sum", filter, parameters);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rowSource = connections.Dialect == PostgresConnectionFactory.DialectName
            ? "request_logs"
            : await SqliteRowSourceAsync(connection, filter, cancellationToken);
        await using var command = connection.CreateCommand(
            "WITH all_rows AS (" +
            "SELECT 1 AS requests, CASE WHEN status_code BETWEEN 200 AND 299 THEN 0 ELSE 1 END AS errors, input_tokens, " +
            $"output_tokens, latency_ms AS latency_ms_sum FROM {rowSource} {where}{rolledUp}) " +
            "SELECT CAST(COALESCE(SUM(requests), 0) AS BIGINT), CAST(COALESCE(SUM(requests - errors), 0) AS BIGINT), " +
            "CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT), " +
            "CAST(COALESCE(SUM(latency_ms_sum) * 1.0 / NULLIF(SUM(requests), 0), 0.0) AS DOUBLE PRECISION) " +
            "FROM all_rows",
            parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RequestLogTotalsRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetDouble(4));
    }

    /// <summary>The buckets of each of <paramref name="dimensions"/>, in that order, over the rows of <paramref name="filter"/>.</summary>
    public async Task<IReadOnlyList<RequestLogBucketRecord>[]> GetBreakdownsAsync(
        IReadOnlyList<RequestLogStatsDimension> dimensions, RequestLogFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        if (connections.Dialect != PostgresConnectionFactory.DialectName)
        {
            var rowSource = await SqliteRowSourceAsync(connection, filter, cancellationToken);
            return await SqliteBreakdowns.ComputeAsync(connection, rowSource, dimensions, filter, cancellationToken);
        }
        var breakdowns = new IReadOnlyList<RequestLogBucketRecord>[dimensions.Count];
        for (var i = 0; i < breakdowns.Length; i++)
        {
            breakdowns[i] = await GetPostgresBucketsAsync(connection, dimensions[i], filter, cancellationToken);
        }
        return breakdowns;
    }

    private static async Task<IReadOnlyList<RequestLogBucketRecord>> GetPostgresBucketsAsync(
        DbConnection connection, RequestLogStatsDimension dimension, RequestLogFilter filter, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>();
        var where = RequestLogSql.Where(filter, parameters);
        var keys = Describe(dimension, new TimeBucketSql(PostgresConnectionFactory.DialectName));
        var sql = PostgresBucketsSql(keys, dimension.BusiestFirst() ? "t.requests DESC, " + KeyOrder : KeyOrder, where, filter, parameters);
        await using var command = connection.CreateCommand(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var buckets = new List<RequestLogBucketRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets.Add(new RequestLogBucketRecord(
                reader.NullableString(0), reader.NullableString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8),
                reader.NullableInt64(9), reader.NullableInt64(10), reader.NullableInt64(11), reader.NullableInt64(12)));
        }
        return buckets;
    }

    /// <summary>
    /// SQLite: where the totals and the breakdowns read their raw rows. SQLite keeps no statistics, so for any time window it walks
    /// ix_request_logs_created and looks each row up in the table, one B-tree search (and, beyond its page cache, one read
    /// from the file) a row; reading the whole table in order costs a fraction of that a row. On 1,000,000 rows a
    /// breakdown over them all took 4.4 s of CPU through the index, 0.4 s as a table scan (bench/RESULTS.md). So a window
    /// that covers at least <see cref="WideWindow"/> of the raw rows' time span is read with the table's index set aside
    /// (NOT INDEXED); a narrower one, or a filter by key or group (their own indexes narrow the rows), keeps the index.
    /// </summary>
    internal static async Task<string> SqliteRowSourceAsync(DbConnection connection, RequestLogFilter filter, CancellationToken cancellationToken)
    {
        if (filter.ApiKeyId is not null || filter.GroupId is not null)
        {
            return "request_logs";
        }
        // Each subquery is one step down ix_request_logs_created; min() and max() in one SELECT would scan it.
        await using var command = connection.CreateCommand(
            "SELECT (SELECT min(created_at) FROM request_logs), (SELECT max(created_at) FROM request_logs)", new Dictionary<string, object?>());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.NullableInt64(0) is not { } oldest || reader.NullableInt64(1) is not { } newest)
        {
            return "request_logs";
        }
        var from = Math.Max(oldest, filter.Since?.ToUnixTimeMilliseconds() ?? oldest);
        var to = Math.Min(newest, filter.Until?.ToUnixTimeMilliseconds() ?? newest);
        var covered = newest == oldest ? 1.0 : Math.Max(0, to - from) / (double)(newest - oldest);
        return covered >= WideWindow ? "request_logs NOT INDEXED" : "request_logs";
    }

    /// <summary>
    /// The share of the raw rows' time span from which a table scan costs less than the index: a row costs about a quarter
    /// as much read in table order (0.35 against 1.3 µs of CPU with the file in memory, and 4.4 µs reading it).
    /// </summary>
    internal const double WideWindow = 0.25;

    /// <summary>
    /// " UNION ALL SELECT {keys}{figures} FROM request_log_days WHERE …" to add the roll-up to raw rows, or "" when
    /// <paramref name="filter"/> needs raw rows only.
    /// </summary>
    private static string RolledUpRows(string keys, string figures, RequestLogFilter filter, Dictionary<string, object?> parameters) =>
        RequestLogSql.RolledUpWhere(filter, parameters) is { } where
            ? $" UNION ALL SELECT {keys}{figures} FROM request_log_days {where}"
            : "";

    /// <summary>
    /// A dimension's key and sub-key over request_logs and over request_log_days (null: hours, which the roll-up does
    /// not keep; '' there stands for NULL).
    /// </summary>
    private sealed record BucketKeys(string Raw, string RawSub, string? RolledUp, string RolledUpSub);

    private static BucketKeys Describe(RequestLogStatsDimension dimension, TimeBucketSql time) => dimension switch
    {
        RequestLogStatsDimension.Group => new("group_id", "NULL", "group_id", "NULL"),
        RequestLogStatsDimension.Alias => new("group_id", "route_alias", "group_id", "NULLIF(route_alias, '')"),
        RequestLogStatsDimension.Provider => new("provider_id", "NULL", "NULLIF(provider_id, '')", "NULL"),
        RequestLogStatsDimension.Day => new(time.Day, "NULL", "day", "NULL"),
        RequestLogStatsDimension.HourAndAlias => new(time.HourStart, "route_alias", null, "NULL"),
        RequestLogStatsDimension.DayAndAlias => new(time.DayStart, "route_alias", "day || 'T00:00:00Z'", "NULLIF(route_alias, '')"),
        RequestLogStatsDimension.Key => new("api_key_id", "NULL", "NULLIF(api_key_id, '')", "NULL"),
        RequestLogStatsDimension.Visitor => new(VisitorKey, "NULL", VisitorKey, "NULL"),
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, null),
    };

    /// <summary>Keys in SQLite's order (its BINARY collation: the bytes of UTF-8, NULL first), whatever the database's collation.</summary>
    private const string KeyOrder = "t.k1 COLLATE \"C\" NULLS FIRST, t.k2 COLLATE \"C\" NULLS FIRST";

    private const string VisitorKey = "CASE WHEN visitor = 1 THEN 'visitor' ELSE 'regular' END";

    private const string RawFigures =
        "1 AS requests, CASE WHEN status_code BETWEEN 200 AND 299 THEN 0 ELSE 1 END AS errors, input_tokens, output_tokens, " +
        "cache_read_tokens, cache_write_tokens, reasoning_tokens";

    private const string RolledUpFigures =
        "requests, errors, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens";

    private const string Sums =
        "CAST(SUM(requests) AS BIGINT) AS requests, CAST(SUM(errors) AS BIGINT) AS errors, " +
        "CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT) AS input_tokens, " +
        "CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) AS output_tokens, " +
        "CAST(COALESCE(SUM(cache_read_tokens), 0) AS BIGINT) AS cache_read_tokens, " +
        "CAST(COALESCE(SUM(cache_write_tokens), 0) AS BIGINT) AS cache_write_tokens, " +
        "CAST(COALESCE(SUM(reasoning_tokens), 0) AS BIGINT) AS reasoning_tokens";

    private const string Columns =
        "t.k1, t.k2, t.requests, t.errors, t.input_tokens, t.output_tokens, t.cache_read_tokens, t.cache_write_tokens, " +
        "t.reasoning_tokens";

    /// <summary>PostgreSQL: sums over raw and rolled-up rows, joined with percentile_disc over raw rows.</summary>
    private static string PostgresBucketsSql(
        BucketKeys keys, string order, string where, RequestLogFilter filter, Dictionary<string, object?> parameters)
    {
        var rolledUp = keys.RolledUp is null ? "" : RolledUpRows(
            keys.RolledUp + " AS k1, " + keys.RolledUpSub + " AS k2, ", RolledUpFigures, filter, parameters);
        return $"""
            WITH base AS (
                SELECT {keys.Raw} AS k1, {keys.RawSub} AS k2, status_code, latency_ms, ttfb_ms, input_tokens, output_tokens,
                       cache_read_tokens, cache_write_tokens, reasoning_tokens
                FROM request_logs {where}
            ),
            all_rows AS (
                SELECT k1, k2, {RawFigures}
                FROM base{rolledUp}
            ),
            totals AS (
                SELECT k1, k2, {Sums}
                FROM all_rows GROUP BY k1, k2
            ),
            {PercentileCte("latency", "latency_ms")},
            {PercentileCte("ttfb", "ttfb_ms")}
            SELECT {Columns}, latency.p50, latency.p95, ttfb.p50, ttfb.p95
            FROM totals t
            LEFT JOIN latency ON latency.k1 IS NOT DISTINCT FROM t.k1 AND latency.k2 IS NOT DISTINCT FROM t.k2
            LEFT JOIN ttfb ON ttfb.k1 IS NOT DISTINCT FROM t.k1 AND ttfb.k2 IS NOT DISTINCT FROM t.k2
            ORDER BY {order}
            """;
    }

    /// <summary>The CTE `{name}`: each bucket's p50 and p95 of <paramref name="column"/>'s non-null values.</summary>
    private static string PercentileCte(string name, string column) => $"""
        {name} AS (
            SELECT k1, k2,
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY {column}) AS p50,
                   percentile_disc(0.95) WITHIN GROUP (ORDER BY {column}) AS p95
            FROM base WHERE {column} IS NOT NULL GROUP BY k1, k2
        )
        """;
}
