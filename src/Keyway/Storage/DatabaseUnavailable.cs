using Microsoft.Data.Sqlite;
using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// Whether a failure means the database could not be reached or went away mid-call (PostgreSQL stopped, restarting
/// or out of connections; a SQLite file or a PostgreSQL row locked past the wait allowed; a SQLite file on a full or
/// failing disk) rather than a refused statement or a bug: the same call may well succeed once it is back.
/// </summary>
public static class DatabaseUnavailable
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;

    public static bool Is(Exception exception) => exception switch
    {
        // 57P01/57P02: the server is shutting down (a fast or immediate stop) and ended this session.
        // 55P03: a lock another session held past the request's deadline (a lock_timeout).
        PostgresException postgres => postgres.IsTransient
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.LockNotAvailable,
        // Not a server error: connecting, reading or writing failed (Npgsql marks socket, I/O and timeout causes transient).
        NpgsqlException npgsql => npgsql.IsTransient,
        SqliteException => IsLocked(exception) || IsDiskFailure(exception),
        TimeoutException => true,
        _ => false,
    };

    /// <summary>Whether the failure is a SQLite file another process kept locked (busy) past the wait allowed.</summary>
    public static bool IsLocked(Exception exception) => exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    /// <summary>
    /// Whether SQLite could not write its file: the disk is full (SQLITE_FULL) or a read or write failed (SQLITE_IOERR, an
    /// extended code in its high bits, which a full disk gives too where SQLite could not grow a file).
    /// </summary>
    public static bool IsDiskFailure(Exception exception) =>
        exception is SqliteException sqlite && (sqlite.SqliteErrorCode & 0xFF) is SqliteIoError or SqliteFull;

    /// <summary>
    /// Whether PostgreSQL ended the statement because it conflicted with a concurrent one (a deadlock, or a serialization
    /// failure): transient too, but the database was there all along.
    /// </summary>
    public static bool IsConflict(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    /// <summary>
    /// Whether the failure is a PostgreSQL row or table another session kept locked past the wait allowed (lock_timeout,
    /// see <see cref="PostgresLockTimeout"/>).
    /// </summary>
    public static bool IsRowLocked(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable };
}
