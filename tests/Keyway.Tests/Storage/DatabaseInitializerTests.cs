using System.Text.RegularExpressions;
using Dapper;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Tests.Hardening;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Keyway.Tests.Storage;

/// <summary>Start-up's database preparation: the secret check before any migration, the upgrade logged, instances starting together.</summary>
public sealed class DatabaseInitializerTests
{
    private const string Secret = "initializer-secret-0123456789";
    private const string OtherSecret = "another-initializer-secret-0123456789";

    [Fact]
    public async Task WrongSecret_OnAnOlderSchema_IsRefusedBeforeAnyMigration()
    {
        using var dir = new TempDirectory();
        var connections = new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db"));
        var latest = new MigrationRunner(connections).Migrations[^1].Version;
        await Initializer(connections, Secret, OlderRunner(connections)).InitializeAsync(CancellationToken.None);

        await Assert.ThrowsAsync<StartupRefusedException>(() => Initializer(connections, OtherSecret).InitializeAsync(CancellationToken.None));

        await using var connection = await connections.OpenAsync(CancellationToken.None);
        Assert.Equal(latest - 1, await connection.ExecuteScalarAsync<long>("SELECT MAX(version) FROM schema_version"));
    }

    [Fact]
    public async Task AnUpgrade_IsLoggedInOneLine_FromTheOldVersionToTheNew()
    {
        using var dir = new TempDirectory();
        var connections = new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db"));
        var newest = new MigrationRunner(connections).Migrations[^1];
        await Initializer(connections, Secret, OlderRunner(connections)).InitializeAsync(CancellationToken.None);
        var log = new CapturedLog();

        await Initializer(connections, Secret, log: log).InitializeAsync(CancellationToken.None);

        Assert.Contains(
            $"Database schema upgraded from version {newest.Version - 1} to {newest.Version} (applied {newest.Version:000}_{newest.Name}).", log.Text);
        Assert.Equal(1, log.Count);
    }

    /// <summary>SQLite says only "disk I/O error" or "database or disk is full" at open: the refusal names the free space too.</summary>
    [Fact]
    public async Task FullDisk_AtStart_IsRefusedNamingTheFreeSpaceOfTheDataDirsDisk()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "keyway.db");
        var disk = new FullDisk(new SqliteConnectionFactory(path)) { Full = true };

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => Initializer(disk, Secret).InitializeAsync(CancellationToken.None));

        Assert.Matches(
            $"^cannot open the SQLite database {Regex.Escape(path)}: SQLite Error 13: 'database or disk is full'\\. " +
            $"The disk holding {Regex.Escape(dir.Path)} has [0-9,]+ bytes free: ",
            refused.Message);
    }

    /// <summary>
    /// The disk fills up while a migration runs (SQLite's page limit makes the write fail with SQLITE_FULL mid-script, as a
    /// full file system does): start-up is refused in one line naming the migration, saying it was rolled back and how much
    /// room the disk has; nothing of it stays, and once there is room the next start applies it.
    /// </summary>
    [Fact]
    public async Task DiskFullDuringAMigration_IsRefusedInOneLine_RolledBack_AndTheNextStartAppliesIt()
    {
        using var dir = new TempDirectory();
        var disk = new FullDisk(new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db")));
        await Initializer(disk, Secret).InitializeAsync(CancellationToken.None);
        var embedded = new MigrationRunner(disk).Migrations;
        var latest = embedded[^1].Version;
        var filler = new MigrationRunner.Migration(latest + 1, "filler",
            "CREATE TABLE filler (data BLOB NOT NULL); " +
            "INSERT INTO filler (data) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) SELECT zeroblob(4096) FROM n;");
        var upgrade = new MigrationRunner(disk, [.. embedded, filler]);
        disk.PagesLeft = 20;

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => Initializer(disk, Secret, upgrade).InitializeAsync(CancellationToken.None));

        Assert.Matches(
            $"^migration {latest + 1:000}_filler could not be applied and was rolled back, nothing of it applied \\(the schema stays at version {latest}\\): " +
            $"SQLite Error 13: 'database or disk is full'\\. The disk holding {Regex.Escape(dir.Path)} has [0-9,]+ bytes free: free space there, " +
            "then start Keyway again to apply it\\.$",
            refused.Message);
        await using (var connection = await disk.OpenAsync(CancellationToken.None))
        {
            Assert.Equal(latest, await connection.ExecuteScalarAsync<long>("SELECT MAX(version) FROM schema_version"));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'filler'"));
        }

        disk.PagesLeft = null;
        await Initializer(disk, Secret, upgrade).InitializeAsync(CancellationToken.None);

        await using var upgraded = await disk.OpenAsync(CancellationToken.None);
        Assert.Equal(latest + 1, await upgraded.ExecuteScalarAsync<long>("SELECT MAX(version) FROM schema_version"));
        Assert.Equal(200, await upgraded.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM filler"));
    }

    /// <summary>
    /// The disk fills up at each write start-up makes besides the migrations (the schema_version table on a new database;
    /// the secret check row, sealing headers stored in plain and the default group, here made to need more pages than are
    /// left by a trigger, so SQLite's page limit fails them with SQLITE_FULL as a full file system does): one line naming the
    /// write, the data dir's disk and its free space, and what to do, never a stack trace.
    /// </summary>
    [Theory]
    [InlineData("create the schema_version table")]
    [InlineData("write the secret check row (meta.secret_verifier)")]
    [InlineData("seal the provider headers stored in plain")]
    [InlineData("create the default group")]
    public async Task DiskFullAtAStartupWrite_IsRefusedInOneLine_NamingTheWriteAndTheFreeSpace(string write)
    {
        using var dir = new TempDirectory();
        var disk = new FullDisk(new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db")));
        await (write switch
        {
            "create the schema_version table" => Task.CompletedTask,
            "write the secret check row (meta.secret_verifier)" => MigratedOnlyAsync(disk, "BEFORE INSERT ON meta"),
            "seal the provider headers stored in plain" => InitializedAsync(disk,
                "INSERT INTO providers (provider_id, group_id, name, base_url, protocol, extra_headers, created_at, updated_at) " +
                "VALUES ('p1', 'default', 'p1', 'https://upstream.test', 'openai', '{\"X-Team\":\"plain\"}', '2026-01-01', '2026-01-01')",
                "BEFORE UPDATE ON providers"),
            _ => InitializedAsync(disk, "DELETE FROM groups WHERE group_id = 'default'", "BEFORE INSERT ON groups"),
        });
        disk.PagesLeft = 0;

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => Initializer(disk, Secret).InitializeAsync(CancellationToken.None));

        Assert.Matches(
            $"^could not {Regex.Escape(write)}: SQLite Error 13: 'database or disk is full'\\. " +
            $"The disk holding {Regex.Escape(dir.Path)} has [0-9,]+ bytes free: free space there, then start Keyway again\\.$",
            refused.Message);
    }

    /// <summary>A database with every migration but no secret check row yet, whose next insert of <paramref name="trigger"/> needs more room.</summary>
    private static async Task MigratedOnlyAsync(FullDisk disk, string trigger)
    {
        await new MigrationRunner(disk).ApplyAsync(CancellationToken.None);
        await FillOnAsync(disk, trigger);
    }

    /// <summary>A database start-up prepared, then <paramref name="change"/>d, whose next <paramref name="trigger"/> statement needs more room.</summary>
    private static async Task InitializedAsync(FullDisk disk, string change, string trigger)
    {
        await Initializer(disk, Secret).InitializeAsync(CancellationToken.None);
        await using (var connection = await disk.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(change);
        }
        await FillOnAsync(disk, trigger);
    }

    /// <summary>A trigger that makes the statement <paramref name="trigger"/> names write 64 KiB more, which a full disk has no room for.</summary>
    private static async Task FillOnAsync(FullDisk disk, string trigger)
    {
        await using var connection = await disk.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            $"CREATE TABLE filler (data BLOB NOT NULL); CREATE TRIGGER fill {trigger} BEGIN INSERT INTO filler VALUES (zeroblob(65536)); END;");
    }

    /// <summary>
    /// A role at its CONNECTION LIMIT gets SQLSTATE 53300, as a server at max_connections does: the refusal says what to
    /// change on the server, not to check KEYWAY_DATABASE_URL.
    /// </summary>
    [PostgresFact]
    public async Task PostgresOutOfConnections_AtStart_IsRefusedInOneLine_NamingTheSqlState()
    {
        var role = $"kw_limit_{Guid.NewGuid():N}"[..24];
        await using (var admin = new NpgsqlConnection(TestPostgres.AdminConnectionString))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0 PASSWORD 'pw-never-shown'");
        }
        var target = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString) { Username = role, Password = "pw-never-shown" };
        await using var connections = new PostgresConnectionFactory(target.ConnectionString);

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => Initializer(connections, Secret).InitializeAsync(CancellationToken.None));

        Assert.Equal(
            $"cannot open PostgreSQL at {target.Host}:{target.Port}, database '{target.Database}' as role '{role}': too many connections for role \"{role}\". " +
            "PostgreSQL has no connection left (SQLSTATE 53300 too_many_connections): raise its max_connections (or the role's or database's " +
            "CONNECTION LIMIT), or make the other clients' pools smaller (Maximum Pool Size in KEYWAY_DATABASE_URL), then start Keyway again.",
            refused.Message);
    }

    /// <summary>Each round a new, empty database and three instances starting at once: none may fail on the other's check row.</summary>
    [PostgresFact]
    public async Task InstancesStartingTogether_OnAnEmptyPostgresDatabase_AllStart()
    {
        for (var round = 0; round < 5; round++)
        {
            using var dir = new TempDirectory();
            var url = await TestPostgres.DatabaseUrlForAsync(dir.Path);
            await using var first = new PostgresConnectionFactory(url);
            await using var second = new PostgresConnectionFactory(url);
            await using var third = new PostgresConnectionFactory(url);

            await Task.WhenAll(new[] { first, second, third }.Select(connections => Task.Run(() => Initializer(connections, Secret).InitializeAsync(CancellationToken.None))));

            await using var connection = await first.OpenAsync(CancellationToken.None);
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM meta WHERE key = 'secret_verifier'"));
        }
    }

    [PostgresFact]
    public async Task WrongSecret_OnPostgres_PointsAtTheDatabaseUrl_NotTheDataDir()
    {
        using var dir = new TempDirectory();
        await using var connections = new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dir.Path));
        await Initializer(connections, Secret).InitializeAsync(CancellationToken.None);

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => Initializer(connections, OtherSecret).InitializeAsync(CancellationToken.None));

        Assert.Contains("point KEYWAY_DATABASE_URL at a new, empty database", refused.Message);
        Assert.DoesNotContain("KEYWAY_DATA_DIR", refused.Message);
    }

    /// <summary>A database or role PostgreSQL does not have: one line naming where and as whom, never the password.</summary>
    [PostgresFact]
    public async Task UnopenablePostgres_IsRefusedInOneLine_NamingTheDatabaseAndRole()
    {
        (string Field, string Value, string Reason)[] cases =
        [
            ("Database", "keyway_missing_db", "database \"keyway_missing_db\" does not exist"),
            ("Username", "keyway_missing_role", "role \"keyway_missing_role\" does not exist"),
        ];
        foreach (var (field, value, reason) in cases)
        {
            var target = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString) { Password = "pw-never-shown", [field] = value };
            await using var connections = new PostgresConnectionFactory(target.ConnectionString);

            var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => Initializer(connections, Secret).InitializeAsync(CancellationToken.None));

            Assert.Equal(
                $"cannot open PostgreSQL at {target.Host}:{target.Port}, database '{target.Database}' as role '{target.Username}': {reason}. " +
                "Check KEYWAY_DATABASE_URL and that the server runs.",
                refused.Message);
        }
    }

    private static MigrationRunner OlderRunner(IDbConnectionFactory connections) =>
        new(connections, new MigrationRunner(connections).Migrations.SkipLast(1).ToList());

    /// <summary>
    /// Instances share rate windows, cooldowns and expiry times by their own clocks: one whose clock is off PostgreSQL's
    /// by more than 2 s says so once at start, with the skew in seconds (and still starts).
    /// </summary>
    [PostgresFact]
    public Task AClockAheadOfTheDatabases_IsWarnedOfAtStart() => AssertSkewWarnedAsync(5, "ahead of");

    [PostgresFact]
    public Task AClockBehindTheDatabases_IsWarnedOfAtStart() => AssertSkewWarnedAsync(-5, "behind");

    private static async Task AssertSkewWarnedAsync(int skewSeconds, string direction)
    {
        using var dir = new TempDirectory();
        await using var connections = new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dir.Path));
        var log = new CapturedLog();

        await Initializer(connections, Secret, log: log, time: new SkewedClock(TimeSpan.FromSeconds(skewSeconds))).InitializeAsync(CancellationToken.None);

        var warning = Assert.Single(log.Text.Split('\n'), line => line.StartsWith("Warning ", StringComparison.Ordinal));
        Assert.Contains($"This instance's clock is {Math.Abs(skewSeconds)} s {direction} PostgreSQL's", warning);
        Assert.Contains("rate windows, cooldowns and expiry times", warning);
    }

    [PostgresFact]
    public async Task AClockInStepWithTheDatabases_IsNotWarnedOf()
    {
        using var dir = new TempDirectory();
        await using var connections = new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dir.Path));
        var log = new CapturedLog();

        await Initializer(connections, Secret, log: log).InitializeAsync(CancellationToken.None);

        Assert.DoesNotContain("clock", log.Text, StringComparison.Ordinal);
    }

    /// <summary>The system clock, off by <paramref name="skew"/>.</summary>
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }

    private static DatabaseInitializer Initializer(
        IDbConnectionFactory connections, string secret, MigrationRunner? migrations = null, CapturedLog? log = null, TimeProvider? time = null) =>
        new(connections, migrations ?? new MigrationRunner(connections), new SecretBox(secret), time ?? TimeProvider.System,
            new Logger<DatabaseInitializer>(new LoggerFactory(log is null ? [] : [log])));
}
