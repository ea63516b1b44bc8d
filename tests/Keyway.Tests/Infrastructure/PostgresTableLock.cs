using Npgsql;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Another session's hold on PostgreSQL tables, as <c>BEGIN; LOCK TABLE … IN EXCLUSIVE MODE;</c> in psql would take it:
/// reads go on, every write of those tables waits. A connection of its own (no pool) until dispose rolls it back.
/// </summary>
public sealed class PostgresTableLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private PostgresTableLock(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<PostgresTableLock> HoldAsync(string databaseUrl, params string[] tables)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(databaseUrl) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"LOCK TABLE {string.Join(", ", tables)} IN EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync();
        return new PostgresTableLock(connection, transaction);
    }

    public async ValueTask DisposeAsync()
    {
        await _transaction.RollbackAsync();
        await _connection.DisposeAsync();
    }
}
