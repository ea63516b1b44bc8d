using Keyway.Storage;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Storage;

/// <summary>
/// Where a SQLite stats breakdown reads its raw rows: past a quarter of the rows' time span the table is read in order
/// (NOT INDEXED), as SQLite, without statistics, would otherwise look every row of the window up through the created_at
/// index (bench/RESULTS.md); a narrower window, or a key's or group's own index, keeps the index.
/// </summary>
public sealed class StatsRowSourceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(0, 100, true)]
    [InlineData(-30, 130, true)]
    [InlineData(70, null, true)]
    [InlineData(76, null, false)]
    [InlineData(null, 20, false)]
    [InlineData(40, 50, false)]
    [InlineData(200, 300, false)]
    public async Task AWindowCoveringAQuarterOfTheRows_ScansTheTable(int? sinceDay, int? untilDay, bool scan)
    {
        using var dir = new TempDirectory();
        await using var connection = await OpenWithRowsAsync(dir.Path, days: [0, 25, 50, 75, 100]);

        var source = await RequestLogStatsRepository.SqliteRowSourceAsync(
            connection, new RequestLogFilter { Since = Day(sinceDay), Until = Day(untilDay) }, CancellationToken.None);

        Assert.Equal(scan ? "request_logs NOT INDEXED" : "request_logs", source);
    }

    [Fact]
    public async Task AKeysOrAGroupsRows_KeepTheirIndex()
    {
        using var dir = new TempDirectory();
        await using var connection = await OpenWithRowsAsync(dir.Path, days: [0, 100]);

        var forKey = await RequestLogStatsRepository.SqliteRowSourceAsync(connection, new RequestLogFilter { ApiKeyId = "k1" }, CancellationToken.None);
        var forGroup = await RequestLogStatsRepository.SqliteRowSourceAsync(connection, new RequestLogFilter { GroupId = "g1" }, CancellationToken.None);

        Assert.Equal(["request_logs", "request_logs"], [forKey, forGroup]);
    }

    [Theory]
    [InlineData(new int[0], "request_logs")]
    [InlineData(new[] { 5 }, "request_logs NOT INDEXED")]
    public async Task NoRowsOrOneInstant_AreReadWithoutASpan(int[] days, string expected)
    {
        using var dir = new TempDirectory();
        await using var connection = await OpenWithRowsAsync(dir.Path, days);

        Assert.Equal(expected, await RequestLogStatsRepository.SqliteRowSourceAsync(connection, new RequestLogFilter(), CancellationToken.None));
    }

    private static DateTimeOffset? Day(int? day) => day is { } d ? Start.AddDays(d) : null;

    private static async Task<System.Data.Common.DbConnection> OpenWithRowsAsync(string dir, int[] days)
    {
        var connections = new SqliteConnectionFactory(Path.Combine(dir, "keyway.db"));
        await new MigrationRunner(connections).ApplyAsync(CancellationToken.None);
        var connection = await connections.OpenAsync(CancellationToken.None);
        foreach (var day in days)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText =
                "INSERT INTO request_logs (created_at, group_id, endpoint, client_protocol, status_code, latency_ms) " +
                $"VALUES ({Start.AddDays(day).ToUnixTimeMilliseconds()}, 'g1', '/v1/chat/completions', 'openai', 200, 10)";
            await insert.ExecuteNonQueryAsync();
        }
        return connection;
    }
}
