using System.Data.Common;

namespace Keyway.Storage;

/// <summary>
/// Aggregates over request_logs: the totals in SQL, the breakdowns from one read of the rows (<see cref="StatsBreakdowns"/>).
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
        var rolledUp = RolledUpRows("requests, errors, input_tokens, output_tokens, latency_ms_sum", filter, parameters);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rowSource = await RowSourceAsync(connection, filter, cancellationToken);
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
        var rowSource = await RowSourceAsync(connection, filter, cancellationToken);
        return await StatsBreakdowns.ComputeAsync(connection, rowSource, dimensions, filter, cancellationToken);
    }

    /// <summary>request_logs, or on SQLite the table read in order for a wide window (<see cref="SqliteRowSourceAsync"/>).</summary>
    private async Task<string> RowSourceAsync(DbConnection connection, RequestLogFilter filter, CancellationToken cancellationToken) =>
        connections.Dialect == PostgresConnectionFactory.DialectName
            ? "request_logs"
            : await SqliteRowSourceAsync(connection, filter, cancellationToken);

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
    /// " UNION ALL SELECT {figures} FROM request_log_days WHERE …" to add the roll-up to raw rows, or "" when
    /// <paramref name="filter"/> needs raw rows only.
    /// </summary>
    private static string RolledUpRows(string figures, RequestLogFilter filter, Dictionary<string, object?> parameters) =>
        RequestLogSql.RolledUpWhere(filter, parameters) is { } where
            ? $" UNION ALL SELECT {figures} FROM request_log_days {where}"
            : "";
}
