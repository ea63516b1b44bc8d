using Keyway.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Keyway.Tests.Storage;

/// <summary>
/// Which failures of a start-up write refuse the start in one line: those of the machine (a full disk, PostgreSQL out of
/// disk, memory or connections), each with what to do; any other is thrown as it is.
/// </summary>
public sealed class StartupStepTests
{
    private const string FreeSpace = "The disk holding /srv/keyway has 0 bytes free";

    /// <summary>PostgreSQL's own words for each (PostgreSQL's errcodes and the messages its server sends with them).</summary>
    [Theory]
    [InlineData("53100", "could not extend file \"base/16384/16385\": No space left on device",
        "PostgreSQL's disk is full (SQLSTATE 53100 disk_full): free space on the database server's disk")]
    [InlineData("53200", "out of memory",
        "PostgreSQL ran out of memory (SQLSTATE 53200 out_of_memory): give the database server more memory, or lower its work_mem, shared_buffers or max_connections")]
    [InlineData("53300", "sorry, too many clients already",
        "PostgreSQL has no connection left (SQLSTATE 53300 too_many_connections): raise its max_connections (or the role's or database's " +
        "CONNECTION LIMIT), or make the other clients' pools smaller (Maximum Pool Size in KEYWAY_DATABASE_URL)")]
    [InlineData("53000", "insufficient file descriptors available to start server process",
        "PostgreSQL's machine is short of a resource (SQLSTATE 53000 insufficient_resources), such as file descriptors, processes or shared memory: " +
        "raise the limit its message names on the database server, or ease that machine's load")]
    [InlineData("53400", "temporary file size exceeds temp_file_limit (1024kB)",
        "PostgreSQL reached a limit its configuration sets (SQLSTATE 53400 configuration_limit_exceeded), such as temp_file_limit or max_worker_processes: " +
        "raise the setting its message names on the database server")]
    public async Task PostgresOutOfResources_IsRefusedInOneLine_NamingTheSqlStatesMeaning(string sqlState, string messageText, string remedy)
    {
        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() =>
            StartupStep.RunAsync("create the default group", () => null, () => throw new PostgresException(messageText, "ERROR", "ERROR", sqlState)));

        Assert.Equal($"could not create the default group: {messageText}. {remedy}, then start Keyway again.", refused.Message);
    }

    [Fact]
    public async Task PostgresDiskFull_DuringAMigration_IsRefusedNamingTheMigration_ThenTheSqlState()
    {
        var migration = new MigrationRunner.Migration(31, "request_log_index", "CREATE INDEX …");
        var full = new PostgresException("could not extend file \"base/16384/16385\": No space left on device", "ERROR", "ERROR", "53100");

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() =>
            StartupStep.RunAsync("apply the schema migrations", () => null, () => throw new MigrationFailedException(migration, 30, full)));

        Assert.Equal(
            "migration 031_request_log_index could not be applied and was rolled back, nothing of it applied (the schema stays at version 30): " +
            "53100: could not extend file \"base/16384/16385\": No space left on device. PostgreSQL's disk is full (SQLSTATE 53100 disk_full): " +
            "free space on the database server's disk, then start Keyway again to apply it.",
            refused.Message);
    }

    /// <summary>ENOSPC, as .NET throws it writing a file (its HResult is the errno on Linux and macOS).</summary>
    [Fact]
    public void NoSpaceLeftOnDevice_WritingAFile_IsRefusedWithTheFreeSpace()
    {
        var full = new IOException("No space left on device : '/srv/keyway/admin.token'", 28);

        var refused = Assert.Throws<StartupRefusedException>(() => StartupStep.Run("keep the generated admin token in admin.token", () => FreeSpace, () => throw full));

        Assert.Equal(
            $"could not keep the generated admin token in admin.token: No space left on device : '/srv/keyway/admin.token'. {FreeSpace}: free space there, then start Keyway again.",
            refused.Message);
    }

    /// <summary>
    /// The machine's other limits, as .NET and SQLite report them at a start-up write (an IOException's HResult is the errno
    /// on Linux): each refused with its own remedy, not sent to free disk space.
    /// </summary>
    [Theory]
    [InlineData("EMFILE", "Too many open files : '/srv/keyway/keyway.db'",
        "Keyway may open no more files (EMFILE, its limit of open files): raise that limit, `ulimit -n` in the shell that starts it or LimitNOFILE= in its systemd unit")]
    [InlineData("ENFILE", "Too many open files in system : '/srv/keyway/keyway.db'",
        "This machine may open no more files (ENFILE, the limit of all processes together): raise fs.file-max (sysctl), or end what holds so many files open")]
    [InlineData("ENOMEM", "Cannot allocate memory : '/srv/keyway/keyway.db'", OutOfMemory)]
    [InlineData("OutOfMemoryException", "out of memory",
        "This machine, or the memory limit set for Keyway, has no memory left, or Keyway's limit of open files stopped a new thread (.NET says out of memory for both): " +
        "free memory or raise that memory limit (MemoryMax= in its systemd unit, the container's memory limit), and raise a low `ulimit -n` (LimitNOFILE=)")]
    [InlineData("SQLITE_NOMEM", "SQLite Error 7: 'out of memory'", OutOfMemory)]
    [InlineData("SQLITE_IOERR_NOMEM", "SQLite Error 10: 'disk I/O error'", OutOfMemory)]
    [InlineData("EIO", "Input/output error : '/srv/keyway/keyway.db'",
        "The disk failed a read or write (EIO): check it (`dmesg` shows the kernel's words for the failure), and move KEYWAY_DATA_DIR to a sound disk if it is failing")]
    [InlineData("EDQUOT", "Disk quota exceeded : '/srv/keyway/keyway.db'",
        FreeSpace + ", but this user's quota on it is used up (EDQUOT): free space of this user's there, or raise the quota (`quota -s` shows it)")]
    public void MachineLimits_WritingAFile_AreRefusedInOneLine_WithTheirOwnRemedy(string kind, string reason, string remedy)
    {
        Exception failure = kind switch
        {
            "EMFILE" => new IOException(reason, 24),
            "ENFILE" => new IOException(reason, 23),
            "ENOMEM" => new IOException(reason, 12),
            "EIO" => new IOException(reason, 5),
            "EDQUOT" => new IOException(reason, 122),
            "OutOfMemoryException" => new OutOfMemoryException(),
            "SQLITE_NOMEM" => new SqliteException(reason + ".", 7, 7),
            "SQLITE_IOERR_NOMEM" => new SqliteException(reason + ".", 10, 3082),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var refused = Assert.Throws<StartupRefusedException>(() => StartupStep.Run("create the database file keyway.db", () => FreeSpace, () => throw failure));

        Assert.Equal($"could not create the database file keyway.db: {reason}. {remedy}, then start Keyway again.", refused.Message);
    }

    /// <summary>
    /// A limit met inside .NET's own start-up machinery arrives wrapped: a type initializer (PosixSignalRegistration, the
    /// socket engine), or the task scheduler that could not start a thread. Refused as its cause, in the cause's words.
    /// </summary>
    [Fact]
    public async Task AMachineLimitWrappedByDotNet_IsRefusedAsItsCause()
    {
        var typeInitializer = new TypeInitializationException("System.Runtime.InteropServices.PosixSignalRegistration", new IOException("Too many open files", 24));
        var scheduler = new TaskSchedulerException(new OutOfMemoryException());

        var files = await Assert.ThrowsAsync<StartupRefusedException>(() => StartupStep.RunAsync("start the web server", () => FreeSpace, () => throw typeInitializer));
        var thread = await Assert.ThrowsAsync<StartupRefusedException>(() => StartupStep.RunAsync("start the web server", () => FreeSpace, () => throw scheduler));

        Assert.StartsWith("could not start the web server: Too many open files. Keyway may open no more files (EMFILE, ", files.Message);
        Assert.StartsWith("could not start the web server: out of memory. This machine, or the memory limit set for Keyway, has no memory left, or Keyway's limit of open files", thread.Message);
    }

    private const string OutOfMemory =
        "This machine, or the memory limit set for Keyway, has no memory left (ENOMEM): free memory, or raise that limit (MemoryMax= in its systemd unit, the container's memory limit)";

    /// <summary>A constraint PostgreSQL enforces, or a file error other than a full disk, is a bug or another matter: not refused as the machine's.</summary>
    [Fact]
    public async Task OtherFailures_AreThrownAsTheyAre()
    {
        var duplicate = new PostgresException("duplicate key value violates unique constraint \"groups_pkey\"", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation);
        var denied = new IOException("Permission denied : '/srv/keyway/keyway.pid'", 13);

        Assert.Same(duplicate, await Assert.ThrowsAsync<PostgresException>(() => StartupStep.RunAsync("create the default group", () => FreeSpace, () => throw duplicate)));
        Assert.Same(denied, Assert.Throws<IOException>(() => StartupStep.Run("write keyway.pid", () => FreeSpace, () => throw denied)));
    }
}
