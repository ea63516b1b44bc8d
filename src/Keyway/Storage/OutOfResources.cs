using Npgsql;

namespace Keyway.Storage;

/// <summary>
/// Failures whose fix is the machine's, not Keyway's: the disk holding the data dir is full (SQLite's SQLITE_FULL or
/// SQLITE_IOERR, "No space left on device" writing a file), or PostgreSQL is out of disk, memory, connections or another
/// resource of its machine, or at a limit its configuration sets. For each, what the operator does about it.
/// </summary>
public static class OutOfResources
{
    /// <summary>ENOSPC, which .NET gives as the IOException's HResult on Linux and macOS.</summary>
    private const int NoSpaceLeftOnDevice = 28;

    /// <summary>
    /// What to do, as "… there" without a full stop (the caller says when to start again), or null for any other failure.
    /// <paramref name="freeSpace"/> describes the room left on the data dir's disk (<see cref="DiskSpace.Describe"/>).
    /// </summary>
    public static string? Remedy(Exception failure, Func<string?> freeSpace) => failure switch
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
        _ when DatabaseUnavailable.IsDiskFailure(failure) || failure is IOException { HResult: NoSpaceLeftOnDevice } =>
            $"{freeSpace() ?? "The disk is full"}: free space there",
        _ => null,
    };

    /// <summary>The database's or the file system's own words, without PostgreSQL's SQLSTATE prefix (the remedy names it).</summary>
    public static string Reason(Exception failure) => (failure is PostgresException postgres ? postgres.MessageText : failure.Message).TrimEnd('.');
}
