using System.Text.RegularExpressions;
using Dapper;
using Keyway.Cli;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;

namespace Keyway.Tests.Cli;

/// <summary>`keyway db restore FILE`: a backup put in place of the data dir's database, never under a running gateway.</summary>
public sealed class DbRestoreTests
{
    [Fact]
    public async Task Restore_ReplacesTheDatabase_OnlyWithForce_AndDropsTheWalOfTheReplacedOne()
    {
        using var dir = new TempDirectory();
        var (cli, database) = await BackedUpThenChangedAsync(dir.Path);

        var refused = await cli.RunAsync("db", "restore", Backup(dir.Path));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--force", refused.Error);
        Assert.Equal(["in the backup", "after the backup"], await KeyIdsAsync(database));

        // As a crash leaves it: the WAL holding the replaced database's last commits, which SQLite would replay.
        File.Copy(Path.Combine(dir.Path, "changes.wal"), database + "-wal");
        await cli.JsonAsync("db", "restore", Backup(dir.Path), "--force");
        Assert.Equal(["in the backup"], await KeyIdsAsync(database));
    }

    [Fact]
    public async Task Restore_WhileAGatewayOfTheDataDirRuns_IsRefused()
    {
        using var dir = new TempDirectory();
        var (cli, database) = await BackedUpThenChangedAsync(dir.Path);
        new ServerStateFile(Environment.ProcessId, "http://127.0.0.1:9233", DateTimeOffset.UtcNow).Write(Path.GetDirectoryName(database)!);

        var result = await cli.RunAsync("db", "restore", Backup(dir.Path), "--force");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("keyway stop", result.Error);
        Assert.Equal(["in the backup", "after the backup"], await KeyIdsAsync(database));
    }

    /// <summary>A new machine: the data dir has no secret.key yet, and the restore says where the backed-up one must go.</summary>
    [Fact]
    public async Task Restore_IntoANewDataDir_SaysItsSecretKeyIsMissing_AndWhereToPutIt()
    {
        using var dir = new TempDirectory();
        await BackedUpThenChangedAsync(dir.Path);
        var newDataDir = Path.Combine(dir.Path, "new-data");
        var cli = new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_DATA_DIR"] = newDataDir });

        var result = await cli.RunAsync("db", "restore", Backup(dir.Path));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"{Path.Combine(newDataDir, "secret.key")} does not exist: put the backed-up gateway's secret.key there", result.Out);
    }

    /// <summary>
    /// keyway.lock whose creation alone meets a full disk (a link to a file on a <see cref="SmallDisk"/> with no file left):
    /// refused as `serve` refuses it, in one line naming the lock and what to do, exit 2, the database left as it was.
    /// </summary>
    [SmallDiskFact]
    public async Task Restore_WithTheLockOnADiskWithNoFileLeft_ExitsWith2_InOneLine()
    {
        using var dir = new TempDirectory();
        using var disk = new SmallDisk();
        var (cli, database) = await BackedUpThenChangedAsync(dir.Path);
        var dataDir = Path.GetDirectoryName(database)!;
        disk.UseUpFiles(leave: 0);
        var lockFile = File.CreateSymbolicLink(Path.Combine(dataDir, DataDirLock.FileName), Path.Combine(disk.Path, DataDirLock.FileName)).FullName;

        var result = await cli.RunAsync("db", "restore", Backup(dir.Path), "--force");

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(
            $"^keyway: could not take the data dir's lock keyway\\.lock: No space left on device : '{Regex.Escape(lockFile)}'\\. " +
            $"The disk holding {Regex.Escape(dataDir)} has [0-9,]+ bytes free: free space there, then run `keyway db restore` again\\.\n$",
            result.Error);
        Assert.Equal(["in the backup", "after the backup"], await KeyIdsAsync(database));
    }

    /// <summary>A keyway.lock that is a directory: the one line `serve` gives, exit 2, the database left as it was.</summary>
    [Fact]
    public async Task Restore_WithALockPathThatIsADirectory_ExitsWith2_InOneLineSayingSo()
    {
        using var dir = new TempDirectory();
        var (cli, database) = await BackedUpThenChangedAsync(dir.Path);
        var lockDir = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(database)!, DataDirLock.FileName)).FullName;

        var result = await cli.RunAsync("db", "restore", Backup(dir.Path), "--force");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"keyway: cannot take the data dir's lock {lockDir}: it is a directory, not a file. Move it away (Keyway creates the empty file), or point KEYWAY_DATA_DIR elsewhere.\n",
            result.Error);
        Assert.Equal(["in the backup", "after the backup"], await KeyIdsAsync(database));
    }

    private static string Backup(string directory) => Path.Combine(directory, "backup.db");

    /// <summary>
    /// A data dir whose database was backed up holding one issued key and got another one after; changes.wal is its WAL
    /// as it was then, before the last connection closed and folded it into the database.
    /// </summary>
    private static async Task<(CliRunner Cli, string Database)> BackedUpThenChangedAsync(string directory)
    {
        var dataDir = Directory.CreateDirectory(Path.Combine(directory, "data")).FullName;
        var database = await LogTestData.MigratedDatabaseAsync(dataDir);
        await LogTestData.InsertIssuedKeyAsync(database, "in the backup");
        var cli = new CliRunner(null, directory);
        await cli.JsonAsync("db", "backup", "--out", Backup(directory));
        await LogTestData.InsertIssuedKeyAsync(database, "after the backup");
        File.Copy(Path.Combine(dataDir, "keyway.db-wal"), Path.Combine(directory, "changes.wal"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return (cli, Path.Combine(dataDir, "keyway.db"));
    }

    private static async Task<List<string>> KeyIdsAsync(string database)
    {
        await using var connection = await new SqliteConnectionFactory(database).OpenAsync(CancellationToken.None);
        var ids = (await connection.QueryAsync<string>("SELECT key_id FROM api_keys ORDER BY created_at, rowid")).ToList();
        await connection.CloseAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return ids;
    }
}
