using System.Data.Common;
using Keyway.Telemetry;

namespace Keyway.Storage;

/// <summary>SQLite's writer: one INSERT prepared once and reused for every row; each batch is one transaction.</summary>
public sealed class PreparedRequestLogInserter : RequestLogBatchInserter
{
    private static readonly string InsertSql =
        $"INSERT INTO request_logs ({string.Join(", ", Columns)}) VALUES ({string.Join(", ", Columns.Select(c => "@" + c))})";

    private readonly DbCommand _command;

    private PreparedRequestLogInserter(DbConnection connection, DbCommand command, string? instanceId)
        : base(connection, instanceId)
    {
        _command = command;
    }

    public static async Task<PreparedRequestLogInserter> PrepareAsync(DbConnection connection, string? instanceId, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        command.CommandText = InsertSql;
        foreach (var column in Columns)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + column;
            command.Parameters.Add(parameter);
        }
        await command.PrepareAsync(cancellationToken);
        return new PreparedRequestLogInserter(connection, command, instanceId);
    }

    public override async Task InsertAsync(IReadOnlyList<RequestLogEntry> entries, CancellationToken cancellationToken)
    {
        await using var transaction = await Connection.BeginTransactionAsync(cancellationToken);
        _command.Transaction = transaction;
        foreach (var entry in entries)
        {
            var values = Values(entry);
            for (var i = 0; i < values.Length; i++)
            {
                _command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
            await _command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        _command.Transaction = null;
    }

    public override async ValueTask DisposeAsync()
    {
        await _command.DisposeAsync();
        await base.DisposeAsync();
    }
}
