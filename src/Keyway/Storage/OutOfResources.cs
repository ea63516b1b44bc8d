using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// Failures whose fix is the machine's, not Keyway's: the disk holding the data dir is full (SQLite's SQLITE_FULL or
/// SQLITE_IOERR, "No space left on device" writing a file), this user's disk quota is used up, the disk failed a read or
/// write, Keyway or the machine may open no more files, memory ran out, or PostgreSQL is out of disk, memory, connections
/// or another resource of its machine, or at a limit its configuration sets. For each, what the operator does about it.
/// </summary>
public static class OutOfResources
{
    // The errno values .NET gives as an IOException's HResult on Linux and macOS (EDQUOT differs between the two).
    private const int IoError = 5;
    private const int NoMemory = 12;
    private const int TooManyOpenFilesInSystem = 23;
    private const int TooManyOpenFiles = 24;
    private const int NoSpaceLeftOnDevice = 28;
    private static readonly int s_diskQuotaExceeded = OperatingSystem.IsMacOS() ? 69 : 122;

    private const int SqliteNoMemory = 7;
    private const int SqliteIoErrorNoMemory = 10 | (12 << 8);

    /// <summary>What to do about a limit of open files too low for Keyway, after the words naming it.</summary>
    public const string RaiseTheOpenFileLimit = "raise that limit, `ulimit -n` in the shell that starts it or LimitNOFILE= in its systemd unit";

    /// <summary>What to do about EMFILE: also the words of <c>Cli/OpenFilesExhausted</c>, which cannot call <see cref="Remedy"/>.</summary>
    public const string NoFileLeftToOpen = $"Keyway may open no more files (EMFILE, its limit of open files): {RaiseTheOpenFileLimit}";

    private const string NoMemoryLeft =
        "This machine, or the memory limit set for Keyway, has no memory left (ENOMEM): free memory, or raise that limit " +
        "(MemoryMax= in its systemd unit, the container's memory limit)";

    /// <summary>
    /// What to do, without a full stop (the caller says when to start again), or null for any other failure.
    /// <paramref name="freeSpace"/> describes the room left on the data dir's disk (<see cref="DiskSpace.Describe"/>).
    /// </summary>
    public static string? Remedy(Exception failure, Func<string?> freeSpace) => failure switch
    {
        // Npgsql's types only in methods of their own, compiled once a database failure that is not SQLite's comes: to compile
        // this switch the JIT would load Npgsql's assembly, which a `dotnet keyway.dll` out of open files could not open.
        DbException database and not SqliteException => PostgresRemedy(database),
        // .NET throws OutOfMemoryException too for a thread it could not start, which the limit of open files causes as
        // well (the runtime opens a pipe for each new thread): seen at `ulimit -n` just under what a start needs.
        OutOfMemoryException =>
            "This machine, or the memory limit set for Keyway, has no memory left, or Keyway's limit of open files stopped a new thread " +
            "(.NET says out of memory for both): free memory or raise that memory limit (MemoryMax= in its systemd unit, the container's " +
            "memory limit), and raise a low `ulimit -n` (LimitNOFILE=)",
        IOException { HResult: NoMemory } => NoMemoryLeft,
        // SQLite's own allocation failed, or one of its reads or writes could not allocate (an extended SQLITE_IOERR).
        SqliteException sqlite when (sqlite.SqliteErrorCode & 0xFF) == SqliteNoMemory || sqlite.SqliteExtendedErrorCode == SqliteIoErrorNoMemory => NoMemoryLeft,
        IOException { HResult: TooManyOpenFiles } => NoFileLeftToOpen,
        IOException { HResult: TooManyOpenFilesInSystem } =>
            "This machine may open no more files (ENFILE, the limit of all processes together): raise fs.file-max (sysctl), or end what holds so many files open",
        IOException { HResult: IoError } =>
            "The disk failed a read or write (EIO): check it (`dmesg` shows the kernel's words for the failure), and move KEYWAY_DATA_DIR to a sound disk if it is failing",
        IOException { HResult: var quota } when quota == s_diskQuotaExceeded =>
            $"{freeSpace() ?? "The disk"}, but this user's quota on it is used up (EDQUOT): free space of this user's there, or raise the quota (`quota -s` shows it)",
        _ when DatabaseUnavailable.IsDiskFailure(failure) || failure is IOException { HResult: NoSpaceLeftOnDevice } =>
            $"{freeSpace() ?? "The disk is full"}: free space there",
        _ => null,
    };

    private static string? PostgresRemedy(DbException failure) => failure switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } =>
            "PostgreSQL's disk is full (SQLSTATE 53100 disk_full): free space on the database server's disk",
        PostgresException { SqlState: PostgresErrorCodes.OutOfMemory } =>
            "PostgreSQL ran out of memory (SQLSTATE 53200 out_of_memory): give the database server more memory, " +
            "or lower its work_mem, shared_buffers or max_connections",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientResources } =>
            "PostgreSQL's machine is short of a resource (SQLSTATE 53000 insufficient_resources), such as file descriptors, " +
            "processes or shared memory: raise the limit its message names on the database server, or ease that machine's load",
        PostgresException { SqlState: PostgresErrorCodes.ConfigurationLimitExceeded } =>
            "PostgreSQL reached a limit its configuration sets (SQLSTATE 53400 configuration_limit_exceeded), such as " +
            "temp_file_limit or max_worker_processes: raise the setting its message names on the database server",
        PostgresException { SqlState: PostgresErrorCodes.TooManyConnections } =>
            "PostgreSQL has no connection left (SQLSTATE 53300 too_many_connections): raise its max_connections (or the role's " +
            "or database's CONNECTION LIMIT), or make the other clients' pools smaller (Maximum Pool Size in KEYWAY_DATABASE_URL)",
        _ => null,
    };

    /// <summary>
    /// The database's or the file system's own words, without PostgreSQL's SQLSTATE prefix (the remedy names it); for memory
    /// that ran out in .NET, whose words vary with where ("Insufficient memory to continue…", "Exception of type…"), "out of memory".
    /// </summary>
    public static string Reason(Exception failure) => (failure switch
    {
        DbException database and not SqliteException => PostgresMessage(database),
        OutOfMemoryException => "out of memory",
        _ => failure.Message,
    }).TrimEnd('.');

    private static string PostgresMessage(DbException failure) => failure is PostgresException postgres ? postgres.MessageText : failure.Message;
}
