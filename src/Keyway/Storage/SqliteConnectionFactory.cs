using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Keyway.Storage;

/// <summary>
/// SQLite in the data dir, WAL mode, foreign keys on, a busy timeout instead of "database is locked" (shortened to what a
/// <see cref="DatabaseDeadline"/> has left, see <see cref="BoundedSqliteConnection"/>).
/// </summary>
public sealed class SqliteConnectionFactory(string databasePath) : IDbConnectionFactory
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string Dialect => "sqlite";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new BoundedSqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
