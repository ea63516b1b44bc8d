using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

/// <summary>
/// What every SQLite connection of Keyway is set up with for the request-log stats: nearest-rank percentile aggregates
/// and a bound on the WAL file.
/// </summary>
public sealed class SqliteStatsFunctionsTests
{
    /// <summary>
    /// keyway_p50/keyway_p95 per group equal the ⌈p·n/100⌉-th smallest non-null value, over random groups with many ties,
    /// nulls, single rows and groups of nulls only (null percentiles).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Percentiles_EqualNearestRanks_OfEachGroupsNonNullValues(int seed)
    {
        using var dir = new TempDirectory();
        var random = new Random(seed);
        var groups = new Dictionary<string, List<long?>>
        {
            ["one"] = [random.Next(0, 10)],
            ["nulls-only"] = [null, null],
            ["one-among-nulls"] = [null, 7, null],
        };
        for (var g = 0; g < 20; g++)
        {
            var range = random.Next(1, 50);
            groups[$"g{g}"] = Enumerable.Range(0, random.Next(1, 400))
                .Select(_ => random.Next(5) == 0 ? (long?)null : random.Next(0, range))
                .ToList();
        }
        await using var connection = await new SqliteConnectionFactory(Path.Combine(dir.Path, "t.db")).OpenAsync(CancellationToken.None);
        await Execute(connection, "CREATE TABLE t (g TEXT, v INTEGER); BEGIN");
        foreach (var (group, values) in groups)
        {
            foreach (var value in values)
            {
                await Execute(connection, $"INSERT INTO t VALUES ('{group}', {(value is { } v ? v.ToString() : "NULL")})");
            }
        }
        await Execute(connection, "COMMIT");

        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT g, keyway_p50(v), keyway_p95(v) FROM t GROUP BY g";
        await using var reader = await query.ExecuteReaderAsync();
        var seen = 0;
        while (await reader.ReadAsync())
        {
            var values = groups[reader.GetString(0)];
            Assert.Equal(NearestRank(values, 50), reader.IsDBNull(1) ? null : reader.GetInt64(1));
            Assert.Equal(NearestRank(values, 95), reader.IsDBNull(2) ? null : reader.GetInt64(2));
            seen++;
        }
        Assert.Equal(groups.Count, seen);
    }

    [Fact]
    public async Task Percentiles_OfNoRows_AreNull()
    {
        using var dir = new TempDirectory();
        await using var connection = await new SqliteConnectionFactory(Path.Combine(dir.Path, "t.db")).OpenAsync(CancellationToken.None);
        await Execute(connection, "CREATE TABLE t (v INTEGER)");

        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT keyway_p50(v) IS NULL AND keyway_p95(v) IS NULL FROM t";
        Assert.Equal(1L, await query.ExecuteScalarAsync());
    }

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

    /// <summary>The straightforward definition: sort, take the ⌈p·n/100⌉-th.</summary>
    private static long? NearestRank(List<long?> values, int percent)
    {
        var sorted = values.OfType<long>().Order().ToList();
        return sorted.Count == 0 ? null : sorted[(int)Math.Ceiling(percent * sorted.Count / 100.0) - 1];
    }

    private static async Task Execute(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
