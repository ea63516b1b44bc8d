using System.Data.Common;
using System.Reflection;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// Applies the numbered scripts under Storage/Migrations/{dialect}/NNN_name.sql that the
/// database has not recorded (also a lower number that landed after a higher one), each in its own transaction, recording them in schema_version.
/// A database that recorded a migration this code does not know is refused, never touched.
/// On PostgreSQL the whole run holds a session advisory lock (<see cref="UnderLockAsync"/>, which start-up holds around
/// the secret check too), so of several instances starting at once one migrates and the others wait, then find nothing left to apply.
/// </summary>
public sealed class MigrationRunner
{
    /// <summary>The advisory lock id of migrations ("keyway" in ASCII), the same for every instance.</summary>
    internal const long MigrationLockKey = 0x6B65797761;

    /// <summary>How long an instance waits for another one's migrations: each script runs under its own 30 s limit.</summary>
    private const int MigrationLockWaitSeconds = 600;

    private readonly IDbConnectionFactory connections;

    public sealed record Migration(int Version, string Name, string Sql);

    /// <summary>What <see cref="ApplyPendingAsync"/> did: the highest version recorded before (0 for a new database), and the migrations applied.</summary>
    public sealed record Upgrade(int From, IReadOnlyList<Migration> Applied);

    public MigrationRunner(IDbConnectionFactory connections)
        : this(connections, LoadMigrations(connections.Dialect))
    {
    }

    /// <summary>Runs <paramref name="migrations"/> (ordered by version) instead of the embedded scripts.</summary>
    internal MigrationRunner(IDbConnectionFactory connections, IReadOnlyList<Migration> migrations)
    {
        this.connections = connections;
        Migrations = migrations;
    }

    public IReadOnlyList<Migration> Migrations { get; }

    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await UnderLockAsync(connection, connections.Dialect, async () =>
        {
            await CreateVersionTableAsync(connection, cancellationToken);
            await ApplyPendingAsync(connection, cancellationToken);
        }, cancellationToken);
        return Migrations.Count == 0 ? 0 : Migrations[^1].Version;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on <paramref name="connection"/> holding the migration lock on PostgreSQL (on SQLite as
    /// is: one gateway per data dir), so that of several instances starting at once one prepares the database and the
    /// others wait, then find it prepared.
    /// </summary>
    public static async Task UnderLockAsync(DbConnection connection, string dialect, Func<Task> work, CancellationToken cancellationToken)
    {
        if (dialect != PostgresConnectionFactory.DialectName)
        {
            await work();
            return;
        }
        // Waiting for another instance's migrations may take longer than a statement's usual limit (30 s without an answer).
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@MigrationLockKey)", new { MigrationLockKey, cancellationToken }, commandTimeout: MigrationLockWaitSeconds);
        try
        {
            await work();
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@MigrationLockKey)", new { MigrationLockKey });
        }
    }

    /// <summary>The table of the migrations applied, on a new database the first write.</summary>
    public static Task CreateVersionTableAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            new { cancellationToken });

    /// <summary>
    /// Applies what the database has not recorded, on <paramref name="connection"/> (under <see cref="UnderLockAsync"/>,
    /// after <see cref="CreateVersionTableAsync"/>).
    /// </summary>
    public async Task<Upgrade> ApplyPendingAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var applied = (await connection.QueryAsync<int>(
            "SELECT version FROM schema_version", new { cancellationToken })).ToHashSet();
        var latest = Migrations.Count == 0 ? 0 : Migrations[^1].Version;
        var unknown = applied.Where(version => Migrations.All(m => m.Version != version)).DefaultIfEmpty().Max();
        if (unknown > 0)
        {
            throw new SchemaTooNewException(
                $"The database schema is version {applied.Max()}, but this Keyway knows only up to {latest}. Upgrade Keyway (every instance on this database) or point it at another database.");
        }
        // Every migration not recorded yet, not only those above the highest: features developed side by side
        // may land their numbers out of order, and a database must still get each one exactly once.
        var pending = Migrations.Where(m => !applied.Contains(m.Version)).ToList();
        var schemaVersion = applied.DefaultIfEmpty().Max();
        foreach (var migration in pending)
        {
            await ApplyOneAsync(connection, migration, schemaVersion, cancellationToken);
            schemaVersion = Math.Max(schemaVersion, migration.Version);
        }
        return new Upgrade(applied.DefaultIfEmpty().Max(), pending);
    }

    /// <summary>
    /// The script and its schema_version row in one transaction: a failure (a full disk, a lost connection) rolls both
    /// back and is thrown as a <see cref="MigrationFailedException"/> naming the migration, so no half of one ever stays.
    /// </summary>
    private static async Task ApplyOneAsync(DbConnection connection, Migration migration, int schemaVersion, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            // The script is not a constant, which Dapper.AOT cannot intercept (its generated code for it does not compile).
            await using (var script = connection.CreateCommand(migration.Sql, [], transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                new { migration.Version, migration.Name, AppliedAt = DateTimeOffset.UtcNow.ToString("O"), cancellationToken }, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException e)
        {
            // SQLite may have rolled the transaction back already (it does on SQLITE_FULL); the provider then skips its ROLLBACK.
            await transaction.RollbackAsync(CancellationToken.None);
            throw new MigrationFailedException(migration, schemaVersion, e);
        }
    }

    private static List<Migration> LoadMigrations(string dialect)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var prefix = $"Keyway.Storage.Migrations.{dialect}.";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name =>
            {
                var fileName = name[prefix.Length..^".sql".Length];
                var underscore = fileName.IndexOf('_');
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                return new Migration(int.Parse(fileName[..underscore].TrimStart('_')), fileName[(underscore + 1)..], reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
    }
}

public sealed class SchemaTooNewException(string message) : Exception(message);

/// <summary>
/// A migration failed and was rolled back, nothing of it applied; <see cref="SchemaVersion"/> is the version the database
/// stays at. A <see cref="DbException"/> still, so callers that report a database's failures report this one, by its migration.
/// </summary>
public sealed class MigrationFailedException(MigrationRunner.Migration migration, int schemaVersion, DbException failure)
    : DbException(
        $"migration {migration.Version:000}_{migration.Name} could not be applied and was rolled back, nothing of it applied " +
        $"(the schema stays at version {schemaVersion}): {failure.Message.TrimEnd('.')}.", failure)
{
    public MigrationRunner.Migration Migration { get; } = migration;

    public int SchemaVersion { get; } = schemaVersion;

    /// <summary>The database's own error.</summary>
    public DbException Failure { get; } = failure;
}
