using Microsoft.Data.Sqlite;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Another process's hold on a SQLite file, as <c>sqlite3 keyway.db 'BEGIN EXCLUSIVE;'</c> would take it: a connection
/// of its own (no pool) in an exclusive transaction until <see cref="ReleaseAsync"/> or dispose.
/// </summary>
public sealed class SqliteFileLock : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private bool _held = true;

    private SqliteFileLock(SqliteConnection connection) => _connection = connection;

    public static async Task<SqliteFileLock> HoldAsync(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "BEGIN EXCLUSIVE");
        return new SqliteFileLock(connection);
    }

    public async Task ReleaseAsync()
    {
        if (_held)
        {
            _held = false;
            await ExecuteAsync(_connection, "ROLLBACK");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _connection.DisposeAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
