using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

/// <summary>The SQLite stats' percentiles: SQLite's group_concat collects a bucket's values, NearestRanks picks from them.</summary>
public sealed class NearestRanksTests
{
    /// <summary>
    /// p50/p95 per group equal the ⌈p·n/100⌉-th smallest non-null value, over random groups with many ties, nulls, single
    /// rows, values beyond 32 bits and groups of nulls only (null percentiles).
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
            ["wide"] = [0, 5_000_000_000, 1, long.MaxValue, 2_147_483_648],
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
        query.CommandText = "SELECT g, group_concat(v) FROM t GROUP BY g";
        await using var reader = await query.ExecuteReaderAsync();
        var seen = 0;
        while (await reader.ReadAsync())
        {
            var values = groups[reader.GetString(0)];
            var ranks = NearestRanks.Of(reader.IsDBNull(1) ? null : reader.GetString(1));
            Assert.Equal((NearestRank(values, 50), NearestRank(values, 95)), ranks);
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
        query.CommandText = "SELECT group_concat(v) FROM t";
        await using var reader = await query.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.True(reader.IsDBNull(0));
        Assert.Equal(((long?)null, (long?)null), NearestRanks.Of(null));
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
