using System.Data.Common;
using System.Reflection;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// Applies the numbered scripts under Storage/Migrations/{dialect}/NNN_name.sql that the
/// database has not seen, each in its own transaction, recording them in schema_version.
/// A database that is newer than this code is refused, never touched.
/// </summary>
public sealed class MigrationRunner(IDbConnectionFactory connections)
{
    public sealed record Migration(int Version, string Name, string Sql);

    public IReadOnlyList<Migration> Migrations { get; } = LoadMigrations(connections.Dialect);

    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            cancellationToken: cancellationToken));
        var current = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT MAX(version) FROM schema_version", cancellationToken: cancellationToken)) ?? 0;
        var latest = Migrations.Count == 0 ? 0 : Migrations[^1].Version;
        if (current > latest)
        {
            throw new SchemaTooNewException(
                $"The database schema is version {current}, but this Keyway knows only up to {latest}. Upgrade Keyway or use another KEYWAY_DATA_DIR.");
        }
        foreach (var migration in Migrations.Where(m => m.Version > current))
        {
            await ApplyOneAsync(connection, migration, cancellationToken);
        }
        return latest;
    }

    private static async Task ApplyOneAsync(DbConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
            new { migration.Version, migration.Name, AppliedAt = DateTimeOffset.UtcNow.ToString("O") },
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
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
