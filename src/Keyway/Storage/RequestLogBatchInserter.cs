using System.Data.Common;
using Keyway.Telemetry;

namespace Keyway.Storage;

/// <summary>
/// Writes batches of request-log rows through one open connection, each batch atomically: on SQLite a prepared INSERT per
/// row inside one transaction (<see cref="PreparedRequestLogInserter"/>), on PostgreSQL one binary COPY per batch
/// (<see cref="PostgresRequestLogCopier"/>). After a failed batch, dispose the inserter and open a new one.
/// </summary>
public abstract class RequestLogBatchInserter(DbConnection connection, string? instanceId) : IAsyncDisposable
{
    protected static readonly string[] Columns =
    [
        "created_at", "group_id", "api_key_id", "route_alias", "provider_id", "upstream_model", "endpoint",
        "client_protocol", "upstream_protocol", "stream", "status_code", "error", "latency_ms", "ttfb_ms",
        "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
        "attempts", "user_agent", "attempt_log", "translated", "web_search_calls", "web_search_rounds",
        "web_search_round_ms", "web_search_queries", "tool_fallback", "visitor", "instance_id", "usage_estimated",
    ];

    private readonly RequestAttemptLogCache _attemptLogs = new();

    protected DbConnection Connection => connection;

    public static async Task<RequestLogBatchInserter> OpenAsync(IDbConnectionFactory connections, string? instanceId, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken);
        try
        {
            return connections.Dialect == PostgresConnectionFactory.DialectName
                ? CopierFor(connection, instanceId)
                : await PreparedRequestLogInserter.PrepareAsync(connection, instanceId, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // Npgsql types stay in methods of their own: a gateway on SQLite never compiles them and never maps Npgsql
    // (bench/idle-rss.sh).
    private static PostgresRequestLogCopier CopierFor(DbConnection connection, string? instanceId) =>
        new(PostgresConnectionFactory.Npgsql(connection), instanceId);

    private static bool PostgresRefusesTheRows(Exception error) =>
        error is Npgsql.PostgresException postgres && postgres.SqlState[..2] is "22" or "23" or "54";

    /// <summary>
    /// The database answered and refused the rows themselves, so the same rows would be refused again: a constraint
    /// (SQLite 19, PostgreSQL class 23), a value it cannot store (SQLite 18/20, PostgreSQL classes 22 and 54). Locks, a
    /// full disk or a lost connection are not: those pass.
    /// </summary>
    public static bool RefusesTheRows(Exception error) =>
        error is Microsoft.Data.Sqlite.SqliteException sqlite ? sqlite.SqliteErrorCode is 18 or 19 or 20 : PostgresRefusesTheRows(error);

    /// <summary>
    /// Inserts every entry: all rows are committed or none. With a <paramref name="position"/>, a retried batch writes
    /// only the rows an earlier try did not commit (one whose commit was cut off from its answer did). With a
    /// <paramref name="slice"/>, work done on this process's cores gives them back to the requests between rows
    /// (<see cref="WorkSlice"/>); null writes without pausing.
    /// </summary>
    public abstract Task InsertAsync(
        IReadOnlyList<RequestLogEntry> entries, RequestLogBatchPosition? position, WorkSlice? slice, CancellationToken cancellationToken);

    /// <summary>Takes one row's values in <see cref="Columns"/> order, each as it comes: text, a whole number (flags as 0/1) or null.</summary>
    protected interface IRowSink
    {
        void Integer(long? value);

        void Text(string? value);
    }

    /// <summary>
    /// The row of one entry, value by value in <see cref="Columns"/> order. A struct sink binds or encodes each value
    /// where it lands, so no row allocates an array of boxed values (the boxing alone was ~1% of the writer's CPU).
    /// </summary>
    protected void WriteRow<TSink>(RequestLogEntry entry, ref TSink sink)
        where TSink : struct, IRowSink
    {
        sink.Integer(entry.CreatedAt.ToUnixTimeMilliseconds());
        sink.Text(entry.GroupId);
        sink.Text(entry.ApiKeyId);
        sink.Text(entry.RouteAlias);
        sink.Text(entry.ProviderId);
        sink.Text(entry.UpstreamModel);
        sink.Text(entry.Endpoint);
        sink.Text(entry.ClientProtocol);
        sink.Text(entry.UpstreamProtocol);
        sink.Integer(entry.Stream ? 1 : 0);
        sink.Integer(entry.StatusCode);
        sink.Text(entry.Error);
        sink.Integer(entry.LatencyMs);
        sink.Integer(entry.TtfbMs);
        sink.Integer(entry.InputTokens);
        sink.Integer(entry.OutputTokens);
        sink.Integer(entry.CacheReadTokens);
        sink.Integer(entry.CacheWriteTokens);
        sink.Integer(entry.ReasoningTokens);
        sink.Integer(entry.Attempts);
        sink.Text(entry.UserAgent);
        sink.Text(_attemptLogs.Serialize(entry.AttemptLog));
        sink.Integer(entry.Translated ? 1 : 0);
        sink.Integer(entry.WebSearchCalls);
        sink.Integer(entry.WebSearchRounds);
        sink.Text(WebSearchLogColumns.RoundMs(entry.WebSearchRoundMs));
        sink.Text(WebSearchLogColumns.Queries(entry.WebSearchQueries));
        sink.Text(entry.ToolFallback);
        sink.Integer(entry.Visitor ? 1 : 0);
        sink.Text(instanceId);
        sink.Integer(entry.UsageEstimated ? 1 : 0);
    }

    /// <summary>
    /// Text both databases store as it is: PostgreSQL text cannot hold NUL, and a lone surrogate (an error message cut
    /// inside an emoji) is not UTF-8 (SQLite would read it back as three replacement characters); both become U+FFFD,
    /// so one odd row never fails its batch and reads back the same on either database.
    /// </summary>
    protected static string Storable(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0 && !text.Contains('\0'))
        {
            return text;
        }
        var builder = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return builder.ToString();
    }

    public virtual async ValueTask DisposeAsync()
    {
        await connection.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
