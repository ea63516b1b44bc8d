namespace Keyway.Storage;

/// <summary>
/// request_log_days, the daily roll-up of the request-log rows the retention pass deletes (see migration 014): the
/// statement that moves one batch of old rows into it, per dialect, and the key columns the stats read back.
/// </summary>
internal sealed class RequestLogDaySql(string dialect)
{
    private const string KeyColumns = "day, group_id, route_alias, provider_id, api_key_id, visitor";

    private const string OldestBatch =
        "SELECT log_id FROM request_logs WHERE created_at < @cutoff ORDER BY log_id LIMIT @batchSize";

    private static readonly string[] FigureColumns =
    [
        "requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
        "latency_ms_sum",
    ];

    private readonly TimeBucketSql _time = new(dialect);
    private readonly bool _postgres = dialect == PostgresConnectionFactory.DialectName;

    /// <summary>
    /// Rolls up and deletes the oldest <c>@batchSize</c> rows created before <c>@cutoff</c>; its one value is the rows
    /// deleted. SQLite runs the upsert and the delete in the caller's write transaction, which no other writer can
    /// interleave with. PostgreSQL rolls up exactly the rows its own DELETE … RETURNING removed, so two instances
    /// pruning at once can never both count a row.
    /// </summary>
    public string MoveOldestBatch => _postgres
        ? $"WITH gone AS (DELETE FROM request_logs WHERE log_id IN ({OldestBatch}) RETURNING *), " +
          $"rolled AS ({UpsertFrom("gone")}) SELECT COUNT(*) FROM gone"
        : $"{UpsertFrom($"request_logs WHERE log_id IN ({OldestBatch})")}; " +
          $"DELETE FROM request_logs WHERE log_id IN ({OldestBatch}); SELECT changes()";

    /// <summary>
    /// PostgreSQL only (null on SQLite, whose one writer at a time already serializes passes): takes this schema's pruning
    /// turn for the caller's transaction, or answers false at once when another instance's pass holds it. Without it two
    /// instances' passes picked the same oldest rows, and the second waited on the first's row locks batch after batch
    /// (past <see cref="DatabaseExchange.Timeout"/> on a slow batch) only to find them deleted. The lock is keyed by
    /// request_logs' own oid, so installations in other schemas of the same database prune on their own.
    /// </summary>
    public string? TakePruningTurn => _postgres
        ? $"SELECT pg_try_advisory_xact_lock({PruningLockClass}, 'request_logs'::regclass::oid::int)"
        : null;

    /// <summary>The advisory lock's first key, "KWRP" in ASCII, so it is told apart from any other lock on the table's oid.</summary>
    private const int PruningLockClass = 0x4B575250;

    /// <summary>Adds the rows of <paramref name="source"/> to their day's roll-up rows; '' stands for NULL keys.</summary>
    private string UpsertFrom(string source) =>
        $"INSERT INTO request_log_days ({KeyColumns}, {string.Join(", ", FigureColumns)}) " +
        $"SELECT {_time.Day}, group_id, COALESCE(route_alias, ''), COALESCE(provider_id, ''), COALESCE(api_key_id, ''), visitor, " +
        "COUNT(*), SUM(CASE WHEN status_code BETWEEN 200 AND 299 THEN 0 ELSE 1 END), COALESCE(SUM(input_tokens), 0), " +
        "COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(cache_write_tokens), 0), " +
        "COALESCE(SUM(reasoning_tokens), 0), SUM(latency_ms) " +
        $"FROM {source} GROUP BY 1, 2, 3, 4, 5, 6 " +
        $"ON CONFLICT ({KeyColumns}) DO UPDATE SET " +
        string.Join(", ", FigureColumns.Select(c => $"{c} = request_log_days.{c} + excluded.{c}"));
}
