using System.Data.Common;
using Keyway.Telemetry;

namespace Keyway.Storage;

/// <summary>
/// One open connection with the INSERT prepared once (on PostgreSQL: by Npgsql's auto-prepare) and reused for every row of every batch;
/// each batch is one transaction. After a failed batch, dispose it and open a new one.
/// </summary>
public sealed class RequestLogBatchInserter : IAsyncDisposable
{
    private static readonly string[] Columns =
    [
        "created_at", "group_id", "api_key_id", "route_alias", "provider_id", "upstream_model", "endpoint",
        "client_protocol", "upstream_protocol", "stream", "status_code", "error", "latency_ms", "ttfb_ms",
        "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
        "attempts", "user_agent", "attempt_log", "translated", "web_search_calls", "web_search_rounds",
        "web_search_round_ms", "web_search_queries", "tool_fallback", "visitor", "instance_id",
    ];

    private static readonly string InsertSql =
        $"INSERT INTO request_logs ({string.Join(", ", Columns)}) VALUES ({string.Join(", ", Columns.Select(c => "@" + c))})";

    private readonly DbConnection _connection;
    private readonly DbCommand _command;
    private readonly string? _instanceId;

    private RequestLogBatchInserter(DbConnection connection, DbCommand command, string? instanceId)
    {
        _connection = connection;
        _command = command;
        _instanceId = instanceId;
    }

    public static async Task<RequestLogBatchInserter> OpenAsync(IDbConnectionFactory connections, string? instanceId, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken);
        try
        {
            var command = connection.CreateCommand();
            command.CommandText = InsertSql;
            foreach (var column in Columns)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + column;
                command.Parameters.Add(parameter);
            }
            // Npgsql prepares a statement only once its parameter types are known, and prepares reused ones on its own.
            if (connections.Dialect != PostgresConnectionFactory.DialectName)
            {
                await command.PrepareAsync(cancellationToken);
            }
            return new RequestLogBatchInserter(connection, command, instanceId);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Inserts every entry in one transaction: all rows are committed or none.</summary>
    public async Task InsertAsync(IReadOnlyList<RequestLogEntry> entries, CancellationToken cancellationToken)
    {
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken);
        _command.Transaction = transaction;
        foreach (var entry in entries)
        {
            Bind(entry);
            await _command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        _command.Transaction = null;
    }

    private void Bind(RequestLogEntry entry)
    {
        object?[] values =
        [
            entry.CreatedAt.ToUnixTimeMilliseconds(), entry.GroupId, entry.ApiKeyId, entry.RouteAlias, entry.ProviderId,
            entry.UpstreamModel, entry.Endpoint, entry.ClientProtocol, entry.UpstreamProtocol, entry.Stream ? 1 : 0,
            entry.StatusCode, entry.Error, entry.LatencyMs, entry.TtfbMs, entry.InputTokens, entry.OutputTokens,
            entry.CacheReadTokens, entry.CacheWriteTokens, entry.ReasoningTokens, entry.Attempts, entry.UserAgent, RequestAttemptLog.Serialize(entry.AttemptLog),
            entry.Translated ? 1 : 0, entry.WebSearchCalls, entry.WebSearchRounds,
            WebSearchLogColumns.RoundMs(entry.WebSearchRoundMs), WebSearchLogColumns.Queries(entry.WebSearchQueries), entry.ToolFallback,
            entry.Visitor ? 1 : 0,
            _instanceId,
        ];
        for (var i = 0; i < values.Length; i++)
        {
            _command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _command.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
