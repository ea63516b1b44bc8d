using System.Data.Common;
using Dapper;
using Keyway.Security;

namespace Keyway.Storage;

/// <summary>
/// Start-up checks before the first request: a SQLite file left readable by others made owner-only, the KEYWAY_SECRET
/// verifier (a wrong secret stops the server here instead of producing garbage keys later), schema migrations, sealing
/// provider header values stored in plain by an older version, and the undeletable "default" group. All of it runs under the migration lock, so instances starting
/// together on one PostgreSQL database take turns. On PostgreSQL it then compares this instance's clock with the
/// database's (<see cref="MaxClockSkew"/>).
/// </summary>
public sealed partial class DatabaseInitializer(
    IDbConnectionFactory connections, MigrationRunner migrations, SecretBox secretBox, TimeProvider time, ILogger<DatabaseInitializer> logger)
{
    private const string VerifierKey = "secret_verifier";
    private const string VerifierPlaintext = "keyway-secret-verifier";

    /// <summary>
    /// How far this instance's clock may be off PostgreSQL's before start-up warns: the instances compare their own
    /// clocks with times another one stored (rate windows, cooldowns, response expiry), so seconds of skew between
    /// them shift those by as much.
    /// </summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether the database holds the check of this start's secret (it matched, or was written now). From then on the
    /// secret is the database's: a generated one must be kept even when a later start-up step fails.
    /// </summary>
    public bool SecretTaken { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // Before the first open: SQLite gives the -wal and -shm files it creates the database file's mode.
        if (connections is SqliteConnectionFactory sqlite && sqlite.MakeOwnerOnly() is { Count: > 0 } changed)
        {
            Log.MadeOwnerOnly(logger, string.Join(", ", changed));
        }
        DbConnection connection;
        try
        {
            connection = await connections.OpenAsync(cancellationToken);
        }
        catch (DbException e)
        {
            throw new StartupRefusedException(connections.CannotOpen(e));
        }
        await using (connection)
        {
            await MigrationRunner.UnderLockAsync(connection, connections.Dialect, () => PrepareAsync(connection, cancellationToken), cancellationToken);
            if (connections.Dialect == PostgresConnectionFactory.DialectName)
            {
                await CompareClocksAsync(connection, cancellationToken);
            }
        }
    }

    /// <summary>Warns when this instance's clock is off the database's by more than <see cref="MaxClockSkew"/> (the round trip aside); never fails.</summary>
    private async Task CompareClocksAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var asked = time.GetUtcNow();
        var database = await connection.ExecuteScalarAsync<DateTime>("SELECT now()", new { cancellationToken });
        var answered = time.GetUtcNow();
        // The database read its clock somewhere within the round trip: only skew beyond half of it is certain.
        var skew = asked + (answered - asked) / 2 - new DateTimeOffset(DateTime.SpecifyKind(database, DateTimeKind.Utc));
        if (skew.Duration() - (answered - asked) / 2 > MaxClockSkew)
        {
            Log.ClockSkew(logger, (long)Math.Round(skew.Duration().TotalSeconds), skew > TimeSpan.Zero ? "ahead of" : "behind");
        }
    }

    /// <summary>
    /// Each write a <see cref="StartupStep"/>: on a full disk, or a PostgreSQL out of disk, memory or connections, the start
    /// is refused in one line naming the write instead of a stack trace.
    /// </summary>
    private async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // The secret before the migrations: a start refused for it leaves an older schema as it was, for the binary that made it.
        var verifier = await ReadVerifierAsync(connection, cancellationToken);
        if (verifier is not null)
        {
            RequireMatchingSecret(verifier);
        }
        await StepAsync("create the schema_version table", () => MigrationRunner.CreateVersionTableAsync(connection, cancellationToken));
        await StepAsync("apply the schema migrations", () => MigrateAsync(connection, cancellationToken));
        if (verifier is null)
        {
            await StepAsync("write the secret check row (meta.secret_verifier)", () => connection.ExecuteAsync(
                "INSERT INTO meta (key, value) VALUES (@VerifierKey, @Value) ON CONFLICT (key) DO NOTHING",
                new { VerifierKey, Value = secretBox.Seal(VerifierPlaintext), cancellationToken }));
            // Another start may have written its own first (SQLite takes no lock): that one is the database's secret.
            RequireMatchingSecret((await ReadVerifierAsync(connection, cancellationToken))!);
        }
        SecretTaken = true;
        await StepAsync("seal the provider headers stored in plain", () => PlainExtraHeadersSealing.SealAsync(connection, secretBox, cancellationToken));
        var now = time.GetUtcNow().ToString("O");
        await StepAsync("create the default group", () => connection.ExecuteAsync(
            "INSERT INTO groups (group_id, name, enabled, note, created_at, updated_at) VALUES ('default', 'Default Group', 1, '', @now, @now) ON CONFLICT (group_id) DO NOTHING",
            new { now, cancellationToken }));
    }

    private Task StepAsync(string what, Func<Task> write) => StartupStep.RunAsync(what, connections.FreeSpace, write);

    private async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        MigrationRunner.Upgrade upgrade;
        try
        {
            upgrade = await migrations.ApplyPendingAsync(connection, cancellationToken);
        }
        catch (SchemaTooNewException e)
        {
            throw new StartupRefusedException(e.Message);
        }
        if (upgrade.Applied.Count > 0)
        {
            Log.SchemaUpgraded(logger, upgrade.From, upgrade.Applied[^1].Version, string.Join(", ", upgrade.Applied.Select(m => $"{m.Version:000}_{m.Name}")));
        }
    }

    /// <summary>The verifier row; null on a new database (no meta table yet) or one whose row is not written yet.</summary>
    private async Task<string?> ReadVerifierAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var metaTables = connections.Dialect == PostgresConnectionFactory.DialectName
            ? await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'meta'", new { cancellationToken })
            : await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", new { cancellationToken });
        return metaTables == 0
            ? null
            : await connection.ExecuteScalarAsync<string?>("SELECT value FROM meta WHERE key = @VerifierKey", new { VerifierKey, cancellationToken });
    }

    private void RequireMatchingSecret(string verifier)
    {
        if (secretBox.TryOpen(verifier, out var opened) && opened == VerifierPlaintext)
        {
            return;
        }
        throw new StartupRefusedException(connections.Dialect == PostgresConnectionFactory.DialectName
            ? "KEYWAY_SECRET does not match the secret this database was created with. Start with the original KEYWAY_SECRET " +
              "(every instance on this database needs the same one), or point KEYWAY_DATABASE_URL at a new, empty database."
            : "KEYWAY_SECRET does not match the secret this database was created with. Start with the original KEYWAY_SECRET " +
              "(or the data dir's secret.key), or point KEYWAY_DATA_DIR at a new directory.");
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Database schema upgraded from version {From} to {To} (applied {Migrations}).")]
        public static partial void SchemaUpgraded(ILogger logger, int from, int to, string migrations);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Made {Files} readable by their owner only (0600): the database holds the sealed keys and the request log.")]
        public static partial void MadeOwnerOnly(ILogger logger, string files);

        [LoggerMessage(Level = LogLevel.Warning, Message = "This instance's clock is {Seconds} s {Direction} PostgreSQL's: the instances compare their own clocks with the times another one stored (rate windows, cooldowns and expiry times), so limits and cooldowns shift by as much between instances. Keep every instance's clock synchronised (NTP).")]
        public static partial void ClockSkew(ILogger logger, long seconds, string direction);
    }
}
