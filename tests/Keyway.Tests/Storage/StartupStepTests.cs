using Keyway.Storage;
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
