using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

/// <summary>A bound on every SQLite connection's WAL file, which overlapping stats reads grew to 334 MB in the soak.</summary>
public sealed class SqliteJournalLimitTests
{
    /// <summary>The WAL file is truncated back to 64 MB after a checkpoint resets it, instead of keeping its largest size.</summary>
    [Fact]
    public async Task NewConnection_LimitsTheJournalSize()
    {
        using var dir = new TempDirectory();
        var connections = new SqliteConnectionFactory(Path.Combine(dir.Path, "t.db"));
        await using var first = await connections.OpenAsync(CancellationToken.None);
        await using var second = await connections.OpenAsync(CancellationToken.None);

        foreach (var connection in (System.Data.Common.DbConnection[])[first, second])
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_size_limit";
            Assert.Equal(64L * 1024 * 1024, await pragma.ExecuteScalarAsync());
        }
    }
}
