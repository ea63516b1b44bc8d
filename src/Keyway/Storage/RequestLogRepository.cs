using System.Data.Common;
using System.Globalization;
using Dapper;
using Keyway.Telemetry;

namespace Keyway.Storage;

/// <summary>Request-log rows: batched inserts, filtered newest-first pages, and retention.</summary>
/// <param name="instance">Written on every inserted row; null (tests, tools) leaves instance_id empty.</param>
public sealed class RequestLogRepository(IDbConnectionFactory connections, InstanceIdentity? instance = null)
{
    private const string SelectColumns =
        "log_id, created_at, group_id, api_key_id, route_alias, provider_id, upstream_model, endpoint, client_protocol, " +
        "upstream_protocol, stream, status_code, error, latency_ms, ttfb_ms, input_tokens, output_tokens, " +
        "cache_read_tokens, cache_write_tokens, reasoning_tokens, attempts, user_agent, attempt_log, translated, " +
        "web_search_calls, web_search_rounds, web_search_round_ms, web_search_queries, tool_fallback, visitor, instance_id, usage_estimated";

    /// <summary>For a long-lived writer: a connection with the INSERT prepared once.</summary>
    public Task<RequestLogBatchInserter> OpenInserterAsync(CancellationToken cancellationToken) =>
        RequestLogBatchInserter.OpenAsync(connections, instance?.Id, cancellationToken);

    public async Task InsertBatchAsync(IReadOnlyList<RequestLogEntry> entries, CancellationToken cancellationToken)
    {
        await using var inserter = await OpenInserterAsync(cancellationToken);
        await inserter.InsertAsync(entries, position: null, slice: null, cancellationToken);
    }

    /// <summary>
    /// Rows matching the filter, newest first, at most <paramref name="limit"/>, strictly older
    /// than the row <paramref name="before"/> when given (keyset pagination on log_id).
    /// </summary>
    public async Task<RequestLogPage> QueryAsync(RequestLogFilter filter, long? before, int limit, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>();
        var where = RequestLogSql.Where(filter, parameters, before is null ? [] : ["log_id < @before"]);
        parameters["before"] = before;
        parameters["take"] = limit + 1;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            $"SELECT {SelectColumns} FROM request_logs {where} ORDER BY log_id DESC LIMIT @take", parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<RequestLogRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadRecord(reader));
        }
        if (rows.Count <= limit)
        {
            return new RequestLogPage(rows, null);
        }
        rows.RemoveAt(rows.Count - 1);
        return new RequestLogPage(rows, rows[^1].LogId);
    }

    /// <summary>
    /// Deletes rows created before <paramref name="cutoff"/>, <paramref name="batchSize"/> rows per
    /// transaction, so each holds the write lock only briefly, adding each batch to the daily roll-up
    /// (request_log_days) in the same transaction: a pass stopped between batches counts no row twice
    /// and loses none. Each batch is one <see cref="DatabaseExchange"/>: a pass on a silently lost connection is
    /// abandoned, not held for the URL's Command Timeout (or for ever). On PostgreSQL each batch first takes the
    /// schema's pruning turn (<see cref="RequestLogDaySql.TakePruningTurn"/>); a pass that finds another instance's
    /// batch running stops there and leaves the rest to that one. Returns the rows this pass deleted.
    /// </summary>
    public async Task<long> PruneOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var parameters = new Dictionary<string, object?> { ["cutoff"] = cutoff.ToUnixTimeMilliseconds(), ["batchSize"] = batchSize };
        var sql = new RequestLogDaySql(connections.Dialect);
        long deleted = 0;
        long affected = 0;
        var steppedAside = false;
        do
        {
            await DatabaseExchange.RunAsync(async bounded =>
            {
                await using var connection = await connections.OpenAsync(bounded);
                await using var transaction = await connection.BeginTransactionAsync(bounded);
                if (sql.TakePruningTurn is { } takeTurn)
                {
                    await using var turn = connection.CreateCommand(takeTurn, [], transaction);
                    if (await turn.ExecuteScalarAsync(bounded) is not true)
                    {
                        steppedAside = true;
                        return;
                    }
                }
                await using var command = connection.CreateCommand(sql.MoveOldestBatch, parameters, transaction);
                affected = Convert.ToInt64(await command.ExecuteScalarAsync(bounded), CultureInfo.InvariantCulture);
                await transaction.CommitAsync(bounded);
            }, cancellationToken);
            if (steppedAside)
            {
                return deleted;
            }
            deleted += affected;
        }
        while (affected == batchSize);
        // A writer's mark matters only to a retry of its batch seconds later: one older than the oldest row kept is of a process long gone.
        await DatabaseExchange.RunAsync(async bounded =>
        {
            await using var connection = await connections.OpenAsync(bounded);
            await connection.ExecuteAsync("DELETE FROM request_log_writers WHERE written_at < @cutoff", new { cutoff = cutoff.ToUnixTimeMilliseconds(), cancellationToken = bounded });
        }, cancellationToken);
        return deleted;
    }

    private static RequestLogRecord ReadRecord(DbDataReader reader) => new(reader.GetInt64(0), new RequestLogEntry
    {
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        GroupId = reader.GetString(2),
        ApiKeyId = reader.NullableString(3),
        RouteAlias = reader.NullableString(4),
        ProviderId = reader.NullableString(5),
        UpstreamModel = reader.NullableString(6),
        Endpoint = reader.GetString(7),
        ClientProtocol = reader.GetString(8),
        UpstreamProtocol = reader.NullableString(9),
        Stream = reader.GetInt64(10) != 0,
        StatusCode = reader.GetInt32(11),
        Error = reader.NullableString(12),
        LatencyMs = reader.GetInt64(13),
        TtfbMs = reader.NullableInt64(14),
        InputTokens = reader.NullableInt64(15),
        OutputTokens = reader.NullableInt64(16),
        CacheReadTokens = reader.NullableInt64(17),
        CacheWriteTokens = reader.NullableInt64(18),
        ReasoningTokens = reader.NullableInt64(19),
        Attempts = reader.GetInt32(20),
        UserAgent = reader.NullableString(21),
        AttemptLog = RequestAttemptLog.Parse(reader.NullableString(22)),
        Translated = reader.GetInt64(23) != 0,
        WebSearchCalls = reader.IsDBNull(24) ? null : reader.GetInt32(24),
        WebSearchRounds = reader.IsDBNull(25) ? null : reader.GetInt32(25),
        WebSearchRoundMs = WebSearchLogColumns.ParseRoundMs(reader.NullableString(26)),
        WebSearchQueries = WebSearchLogColumns.ParseQueries(reader.NullableString(27)),
        ToolFallback = reader.NullableString(28),
        Visitor = reader.GetInt64(29) != 0,
        UsageEstimated = reader.GetInt64(31) != 0,
    }, reader.NullableString(30));
}
