using Dapper;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;

namespace Keyway.Tests.Storage;

public sealed class DatabaseCopierTableTests
{
    /// <summary>A migration that adds a table must say whether `db migrate-to-postgres` copies it or why not.</summary>
    [Fact]
    public async Task EveryTableOfTheSchema_IsCopied_OrSkippedWithAReason()
    {
        using var dir = new TempDirectory();
        var connections = await LogTestData.MigratedDatabaseAsync(dir.Path);
        await using var connection = await connections.OpenAsync(CancellationToken.None);

        var tables = await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");

        var known = DatabaseCopier.CopiedTables.Concat(DatabaseCopier.Skipped.Select(t => t.Table)).Concat(DatabaseCopier.NotData);
        Assert.Empty(tables.Except(known));
        Assert.All(DatabaseCopier.Skipped, t => Assert.NotEmpty(t.Reason));
    }
}
