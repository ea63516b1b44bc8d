using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Keyway.Storage;

/// <summary>
/// SQLite in the data dir, WAL mode with its file truncated back to <see cref="JournalSizeLimitBytes"/>, foreign keys
/// on, a busy timeout instead of "database is locked" (shortened to what a <see cref="DatabaseDeadline"/> has left, see
/// <see cref="BoundedSqliteConnection"/>). A new database file is created
/// readable by its owner only, like secret.key: it holds the sealed upstream keys and issued keys and the request log.
/// SQLite gives its -wal and -shm files the database file's mode; an existing file is made owner-only at start
/// (<see cref="MakeOwnerOnly"/>).
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

    /// <summary>
    /// What SQLite truncates the WAL file back to after a checkpoint that reset it. Without a limit the file keeps the
    /// largest size it ever grew to: 334 MB after a soak whose overlapping stats reads held old snapshots.
    /// </summary>
    public const long JournalSizeLimitBytes = 64L * 1024 * 1024;

    public string Dialect => "sqlite";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new BoundedSqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; " +
            $"PRAGMA journal_size_limit={JournalSizeLimitBytes};";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public string CannotOpen(DbException failure) => Directory.Exists(_databasePath)
        // SQLite only says "unable to open database file" for a directory (or a link to one) in the file's place.
        ? $"cannot open the SQLite database {_databasePath}: it is a directory, not a database file. Move it away, or point KEYWAY_DATA_DIR elsewhere."
        // On a full disk SQLite says "database or disk is full", or only "disk I/O error" where it could not grow its WAL files.
        : DatabaseUnavailable.IsDiskFailure(failure)
        ? $"cannot open the SQLite database {_databasePath}: {failure.Message.TrimEnd('.')}. {FreeSpace()}: free space there, " +
          "or check that KEYWAY_DATA_DIR and the file are writable by this user."
        : $"cannot open the SQLite database {_databasePath}: {failure.Message.TrimEnd('.')}. Check that KEYWAY_DATA_DIR and the file are writable by this user.";

    public string? FreeSpace() => DiskSpace.Describe(DirectoryOfFile);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private string DirectoryOfFile => Path.GetDirectoryName(Path.GetFullPath(_databasePath))!;

    /// <summary>
    /// Makes the database file and its WAL files 0600 where a Keyway from before new databases were created owner-only, or
    /// a copy put in place by hand, gave the group or others any permission: each file changed, with the mode it had.
    /// </summary>
    public IReadOnlyList<string> MakeOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return [];
        }
        var changed = new List<string>();
        foreach (var file in (string[])[_databasePath, _databasePath + "-wal", _databasePath + "-shm"])
        {
            if (!File.Exists(file))
            {
                continue;
            }
            var mode = File.GetUnixFileMode(file);
            if ((mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)) == 0)
            {
                continue;
            }
            try
            {
                File.SetUnixFileMode(file, OwnerOnly);
                changed.Add($"{Path.GetFileName(file)} (was {Convert.ToString((int)mode, 8).PadLeft(4, '0')})");
            }
            catch (UnauthorizedAccessException)
            {
                // Not this user's file: its owner set the mode, and SQLite's own error says what this user may not do.
            }
        }
        return changed;
    }

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
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        try
        {
            new FileStream(databasePath, create).Dispose();
        }
        catch (IOException) when (Path.Exists(databasePath))
        {
            // Another process created it first.
        }
    }
}
