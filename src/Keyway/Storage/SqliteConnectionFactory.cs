using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Keyway.Storage;

/// <summary>
/// SQLite in the data dir, WAL mode, foreign keys on, a busy timeout instead of "database is locked" (shortened to what a
/// <see cref="DatabaseDeadline"/> has left, see <see cref="BoundedSqliteConnection"/>). A new database file is created
/// readable by its owner only, like secret.key: it holds the sealed upstream keys and issued keys and the request log.
/// SQLite gives its -wal and -shm files the database file's mode.
/// </summary>
public sealed class SqliteConnectionFactory : IDbConnectionFactory
{
    private readonly string _connectionString;
    private readonly string _databasePath;

    public SqliteConnectionFactory(string databasePath)
    {
        _databasePath = databasePath;
        CreateOwnerOnlyIfMissing(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

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

    public string CannotOpen(DbException failure) => Directory.Exists(_databasePath)
        // SQLite only says "unable to open database file" for a directory (or a link to one) in the file's place.
        ? $"cannot open the SQLite database {_databasePath}: it is a directory, not a database file. Move it away, or point KEYWAY_DATA_DIR elsewhere."
        : $"cannot open the SQLite database {_databasePath}: {failure.Message.TrimEnd('.')}. Check that KEYWAY_DATA_DIR and the file are writable by this user.";

    /// <summary>
    /// An empty file is an empty database to SQLite; an existing file keeps the mode its owner gave it. Also for a copy of
    /// the database (`keyway db backup`), which holds the same secrets.
    /// </summary>
    public static void CreateOwnerOnlyIfMissing(string databasePath)
    {
        // Path.Exists: whatever is in the file's place (a directory too) is left to SQLite, whose open failure is reported
        // in one line, instead of an IOException from here.
        if (OperatingSystem.IsWindows() || databasePath == ":memory:" || Path.Exists(databasePath))
        {
            return;
        }
        var ownerOnly = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        try
        {
            new FileStream(databasePath, ownerOnly).Dispose();
        }
        catch (IOException) when (Path.Exists(databasePath))
        {
            // Another process created it first.
        }
    }
}
