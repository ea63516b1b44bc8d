using Dapper;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

public sealed class MigrationRunnerTests
{
    private static readonly MigrationRunner.Migration First = new(1, "first", "CREATE TABLE first_table (id INTEGER)");
    private static readonly MigrationRunner.Migration Second = new(2, "second", "CREATE TABLE second_table (id INTEGER)");
    private static readonly MigrationRunner.Migration Third = new(3, "third", "CREATE TABLE third_table (id INTEGER)");

    [Fact]
    public async Task MigrationThatLandsBelowTheHighest_IsStillApplied()
    {
        using var dir = new TempDirectory();
        var connections = new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db"));
        await new MigrationRunner(connections, [First, Third]).ApplyAsync(CancellationToken.None);

        var latest = await new MigrationRunner(connections, [First, Second, Third]).ApplyAsync(CancellationToken.None);

        Assert.Equal(3, latest);
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        Assert.Equal([1, 2, 3], await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM second_table"));
    }

    [Fact]
    public async Task SecondRun_AppliesNothingTwice()
    {
        using var dir = new TempDirectory();
        var connections = new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db"));
        var runner = new MigrationRunner(connections);
        await runner.ApplyAsync(CancellationToken.None);

        await runner.ApplyAsync(CancellationToken.None);

        await using var connection = await connections.OpenAsync(CancellationToken.None);
        Assert.Equal(runner.Migrations.Select(m => m.Version), await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version"));
    }

    [Fact]
    public async Task DatabaseWithAMigrationThisBuildDoesNotKnow_IsRefusedUntouched()
    {
        using var dir = new TempDirectory();
        var connections = new SqliteConnectionFactory(Path.Combine(dir.Path, "keyway.db"));
        await new MigrationRunner(connections, [First, Third]).ApplyAsync(CancellationToken.None);

        var refused = await Assert.ThrowsAsync<SchemaTooNewException>(
            () => new MigrationRunner(connections, [First, Second]).ApplyAsync(CancellationToken.None));

        Assert.Contains("schema is version 3, but this Keyway knows only up to 2", refused.Message);
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'second_table'"));
    }
}
