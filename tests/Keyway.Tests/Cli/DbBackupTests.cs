using System.Net;
using System.Text.Json;
using Dapper;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Cli;

/// <summary>`keyway db backup`: an online copy of the SQLite database into one file, taken while the gateway writes.</summary>
public sealed class DbBackupTests
{
    private const int QueuedRows = 50_000;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string Chat = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task Backup_WhileTheGatewayWritesLogs_IsOneFileHoldingTheRowsOfOneMoment()
    {
        using var data = new TempDirectory();
        using var backups = new TempDirectory();
        var copy = Path.Combine(backups.Path, "keyway-backup.db");
        var server = await StartOnSqliteAsync(data.Path);
        var status = server.Services.GetRequiredService<RequestLogStatus>();
        var queue = server.Services.GetRequiredService<RequestLogQueue>();
        for (var i = 0; i < QueuedRows; i++)
        {
            queue.Enqueue(LogTestData.Entry(LogTestData.Noon.AddMilliseconds(i)));
        }
        // The writer is under way, as it is on a busy gateway, before the backup starts.
        await Hardening.RequestLogOutageTests.WaitUntilAsync(() => status.Written > 0);

        var before = await LogTestData.CountRowsAsync(server.OpenDatabase());
        var report = await new CliRunner(null, data.Path, new Dictionary<string, string> { ["KEYWAY_DATA_DIR"] = data.Path })
            .JsonAsync("db", "backup", "--out", copy);
        var after = await LogTestData.CountRowsAsync(server.OpenDatabase());
        await server.DisposeAsync();

        Assert.Equal(QueuedRows, status.Written);
        Assert.Equal(0, status.InsertErrors);
        Assert.False(File.Exists(copy + "-wal"), "the copy needs no -wal file");
        using var alone = new TempDirectory();
        var moved = Path.Combine(alone.Path, "keyway.db");
        File.Copy(copy, moved);
        await using var connection = new SqliteConnection($"Data Source={moved};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
        var rows = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM request_logs");
        Assert.InRange(rows, before, after);
        Assert.Equal(rows, Rows(report, "request_logs"));
    }

    [Fact]
    public async Task GatewayStartedOnTheCopy_WithTheSameSecret_ServesTheOldKey()
    {
        using var data = new TempDirectory();
        using var restored = new TempDirectory();
        var copy = Path.Combine(restored.Path, "keyway.db");
        await using var upstream = await FakeUpstream.StartAsync();
        string key;
        JsonElement report;
        await using (var server = await StartOnSqliteAsync(data.Path))
        {
            await AdminApi.CreateProviderAsync(server.Admin, "default", "p", new Uri(upstream.BaseAddress, "v1").ToString());
            await AdminApi.CreateRouteAsync(server.Admin, "default", "m", "p", "upstream-m");
            key = await AdminApi.CreateKeyAsync(server.Admin, "default");
            report = await new CliRunner(null, data.Path).JsonAsync("db", "backup", "--from", server.Options.DatabasePath, "--out", copy);
        }

        Assert.Equal(1, Rows(report, "providers"));
        Assert.Equal(1, Rows(report, "provider_keys"));
        Assert.Equal(1, Rows(report, "api_keys"));
        Assert.Contains("KEYWAY_SECRET", report.GetProperty("reminder").GetString());
        await using var again = await StartOnSqliteAsync(restored.Path);
        using var client = again.ClientWithKey(key);
        using var response = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json(Chat));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ExistingOut_IsKeptWithoutForce_AndReplacedWithIt()
    {
        using var dir = new TempDirectory();
        var source = await KeywayDatabaseAsync(dir.Path);
        var copy = Path.Combine(dir.Path, "backup.db");
        await File.WriteAllTextAsync(copy, "an older backup");
        var cli = new CliRunner(null, dir.Path);

        var refused = await cli.RunAsync("db", "backup", "--from", source, "--out", copy);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--force", refused.Error);
        Assert.Equal("an older backup", await File.ReadAllTextAsync(copy));

        await cli.JsonAsync("db", "backup", "--from", source, "--out", copy, "--force");
        Assert.StartsWith("SQLite format 3", await File.ReadAllTextAsync(copy));
    }

    [Fact]
    public async Task OutNamingTheDatabaseItself_IsRefused_EvenWithForce()
    {
        using var dir = new TempDirectory();
        var source = await KeywayDatabaseAsync(dir.Path);
        var before = await File.ReadAllBytesAsync(source);

        var result = await new CliRunner(null, dir.Path).RunAsync("db", "backup", "--from", source, "--out", source, "--force");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the database itself", result.Error);
        Assert.Equal(before, await File.ReadAllBytesAsync(source));
    }

    [Theory]
    [InlineData("not a database", "file is not a database")]
    [InlineData("an index that misses rows", "integrity_check")]
    public async Task FailedBackup_LeavesNoFile(string source, string error)
    {
        using var dir = new TempDirectory();
        using var backups = new TempDirectory();
        var path = Path.Combine(dir.Path, "keyway.db");
        if (source == "not a database")
        {
            await File.WriteAllTextAsync(path, new string('x', 8192));
        }
        else
        {
            await WriteDatabaseFailingIntegrityCheckAsync(path);
        }

        var result = await new CliRunner(null, dir.Path).RunAsync("db", "backup", "--from", path, "--out", Path.Combine(backups.Path, "backup.db"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(error, result.Error);
        Assert.Empty(Directory.GetFileSystemEntries(backups.Path));
    }

    [Fact]
    public async Task PostgresInstallation_IsRefused_PointingAtPgDump()
    {
        using var dir = new TempDirectory();
        var copy = Path.Combine(dir.Path, "backup.db");
        var cli = new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_DATABASE_URL"] = "postgres://keyway@127.0.0.1:5432/keyway" });

        var result = await cli.RunAsync("db", "backup", "--out", copy);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("pg_dump", result.Error);
        Assert.False(File.Exists(copy));
    }

    [Fact]
    public async Task Copy_IsReadableByItsOwnerOnly_WhateverTheSourceMode()
    {
        using var dir = new TempDirectory();
        var source = await KeywayDatabaseAsync(dir.Path);
        File.SetUnixFileMode(source, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var copy = Path.Combine(dir.Path, "backup.db");

        await new CliRunner(null, dir.Path).JsonAsync("db", "backup", "--from", source, "--out", copy);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(copy));
    }

    private static Task<KeywayServer> StartOnSqliteAsync(string dataDir) =>
        KeywayServer.StartAsync(dataDir, options => options with { DatabaseUrl = null });

    private static async Task<string> KeywayDatabaseAsync(string directory)
    {
        await LogTestData.MigratedDatabaseAsync(directory);
        SqliteConnection.ClearAllPools();
        return Path.Combine(directory, "keyway.db");
    }

    private static long Rows(JsonElement report, string table) =>
        report.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == table).GetProperty("rows").GetInt64();

    /// <summary>Two indexes that swapped their pages: every page reads well, but each index lists the other table's rows.</summary>
    private static async Task WriteDatabaseFailingIntegrityCheckAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE a (x); CREATE INDEX a_x ON a (x); INSERT INTO a VALUES (1), (2);
            CREATE TABLE b (x); CREATE INDEX b_x ON b (x); INSERT INTO b VALUES (3);
            PRAGMA writable_schema = ON;
            UPDATE sqlite_schema SET rootpage = (SELECT sum(rootpage) FROM sqlite_schema WHERE name IN ('a_x', 'b_x')) - rootpage
            WHERE name IN ('a_x', 'b_x');
            """);
    }
}
