using Dapper;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

public sealed class PostgresMigrationTests
{
    [PostgresFact]
    public async Task InstancesStartingTogether_ApplyEachMigrationOnce()
    {
        using var dir = new TempDirectory();
        var url = await TestPostgres.DatabaseUrlForAsync(dir.Path);
        await using var first = new PostgresConnectionFactory(url);
        await using var second = new PostgresConnectionFactory(url);
        var runners = new[] { new MigrationRunner(first), new MigrationRunner(second), new MigrationRunner(first) };

        var latest = await Task.WhenAll(runners.Select(runner => runner.ApplyAsync(CancellationToken.None)));

        Assert.All(latest, version => Assert.Equal(runners[0].Migrations[^1].Version, version));
        await using var connection = await first.OpenAsync(CancellationToken.None);
        Assert.Equal(runners[0].Migrations.Select(m => m.Version), await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version"));
    }

    [PostgresFact]
    public async Task SchemaNewerThanTheCode_IsRefusedWithAClearMessage()
    {
        using var dir = new TempDirectory();
        await using var connections = new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dir.Path));
        var current = new MigrationRunner(connections);
        await current.ApplyAsync(CancellationToken.None);
        var older = new MigrationRunner(connections, current.Migrations.Take(current.Migrations.Count - 1).ToList());

        var refused = await Assert.ThrowsAsync<SchemaTooNewException>(() => older.ApplyAsync(CancellationToken.None));

        Assert.Contains($"schema is version {current.Migrations[^1].Version}, but this Keyway knows only up to {current.Migrations[^2].Version}", refused.Message);
    }
}
