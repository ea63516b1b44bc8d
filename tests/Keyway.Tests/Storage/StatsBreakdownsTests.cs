using System.Globalization;
using System.Text;
using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;

namespace Keyway.Tests.Storage;

/// <summary>
/// The stats breakdowns over a random request log, computed in one read of the rows (<see cref="StatsBreakdowns"/>):
/// each equals what the GROUP BY it replaced meant, spelled out here over the entries themselves; on PostgreSQL, whose
/// rows come through Npgsql's reader instead of SQLite's direct calls, the same as on SQLite. The log has NULL keys, ties,
/// texts whose UTF-16 and UTF-8 orders differ, a text of 600 UTF-8 bytes, rows either side of midnight and rows already rolled up into days.
/// </summary>
public sealed class StatsBreakdownsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Rows before this moved into request_log_days (their sums stay, their latencies go).</summary>
    private static readonly DateTimeOffset RolledUpBefore = Start.AddDays(2);

    private static readonly RequestLogStatsDimension[] Dimensions = Enum.GetValues<RequestLogStatsDimension>();

    private static readonly string[] WindowNames = ["all", "since day 3, noon", "until day 3", "key k1", "status 200", "failed, day 4"];

    /// <summary>Each window over logs of two seeds.</summary>
    public static TheoryData<int, string> Windows
    {
        get
        {
            var windows = new TheoryData<int, string>();
            foreach (var window in WindowNames)
            {
                windows.Add(1, window);
                windows.Add(2, window);
            }
            return windows;
        }
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task Breakdowns_EqualTheGroupByTheyReplace(int seed, string window)
    {
        using var dir = new TempDirectory();
        var entries = RandomLog(seed);
        var stats = await SeededAsync(await LogTestData.MigratedDatabaseAsync(dir.Path), entries);
        var filter = Filter(window);

        var breakdowns = await stats.GetBreakdownsAsync(Dimensions, filter, CancellationToken.None);

        for (var i = 0; i < Dimensions.Length; i++)
        {
            Assert.Equal(Expected(Dimensions[i], entries, filter), breakdowns[i]);
        }
    }

    [Fact]
    public async Task EachDimensionAlone_EqualsItsPlaceAmongOthers()
    {
        using var dir = new TempDirectory();
        var stats = await SeededAsync(await LogTestData.MigratedDatabaseAsync(dir.Path), RandomLog(9));
        var filter = Filter("all");

        var together = await stats.GetBreakdownsAsync(Dimensions, filter, CancellationToken.None);

        for (var i = 0; i < Dimensions.Length; i++)
        {
            Assert.Equal(together[i], (await stats.GetBreakdownsAsync([Dimensions[i]], filter, CancellationToken.None))[0]);
        }
    }

    [PostgresFact]
    public async Task PostgresBreakdowns_EqualSqlites()
    {
        using var dir = new TempDirectory();
        var entries = RandomLog(1);
        var sqlite = await SeededAsync(await LogTestData.MigratedDatabaseAsync(dir.Path), entries);
        await using var postgresConnections = new PostgresConnectionFactory(await TestPostgres.DatabaseUrlForAsync(dir.Path));
        await new MigrationRunner(postgresConnections).ApplyAsync(CancellationToken.None);
        var postgres = await SeededAsync(postgresConnections, entries);

        foreach (var window in WindowNames)
        {
            var expected = await sqlite.GetBreakdownsAsync(Dimensions, Filter(window), CancellationToken.None);
            var actual = await postgres.GetBreakdownsAsync(Dimensions, Filter(window), CancellationToken.None);
            Assert.Equal(expected, actual);
        }
    }

    private static RequestLogFilter Filter(string window) => window switch
    {
        "all" => new RequestLogFilter(),
        "since day 3, noon" => new RequestLogFilter { Since = Start.AddDays(3.5) },
        "until day 3" => new RequestLogFilter { Until = Start.AddDays(3) },
        "key k1" => new RequestLogFilter { ApiKeyId = "k1" },
        "status 200" => new RequestLogFilter { StatusCode = 200 },
        "failed, day 4" => new RequestLogFilter { Succeeded = false, Since = Start.AddDays(4), Until = Start.AddDays(5) },
        _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
    };

    private static async Task<RequestLogStatsRepository> SeededAsync(IDbConnectionFactory connections, IReadOnlyList<RequestLogEntry> entries)
    {
        var logs = new RequestLogRepository(connections);
        await logs.InsertBatchAsync(entries, CancellationToken.None);
        await logs.PruneOlderThanAsync(RolledUpBefore, 1000, CancellationToken.None);
        return new RequestLogStatsRepository(connections);
    }

    /// <summary>~600 requests over six days, drawn from small sets so that buckets hold many rows and latencies tie.</summary>
    private static List<RequestLogEntry> RandomLog(int seed)
    {
        var random = new Random(seed);
        string?[] aliases = [null, "fast", "Fast", "\u00e9clair", "\U0001F680 rocket", "\uE000 private", "\uFF21 wide", new string('\u00e4', 300)];
        string?[] providers = [null, "p1", "p2", "\U0001F600"];
        string?[] keys = [null, "k1", "k2", "k3"];
        int[] statuses = [200, 200, 200, 201, 429, 502];
        long? Maybe(int upTo) => random.Next(3) == 0 ? null : random.Next(upTo);
        return Enumerable.Range(0, 600).Select(_ =>
        {
            var latency = random.Next(1, 40);
            return LogTestData.Entry(Start.AddMinutes(random.Next(6 * 24 * 60)), statuses[random.Next(statuses.Length)], latency) with
            {
                GroupId = random.Next(3) == 0 ? "g-\u00fc" : "g1",
                ApiKeyId = keys[random.Next(keys.Length)],
                RouteAlias = aliases[random.Next(aliases.Length)],
                ProviderId = providers[random.Next(providers.Length)],
                Visitor = random.Next(4) == 0,
                TtfbMs = random.Next(4) == 0 ? null : random.Next(1, latency + 1),
                InputTokens = Maybe(5000),
                OutputTokens = Maybe(900),
                CacheReadTokens = Maybe(300),
                CacheWriteTokens = Maybe(200),
                ReasoningTokens = Maybe(100),
            };
        }).ToList();
    }

    /// <summary>
    /// What the breakdown means: raw rows in the window by their key; rolled-up rows (before <see cref="RolledUpBefore"/>)
    /// by their day, counted whole when the window touches the day and the filter is one the roll-up keeps, without
    /// latencies and never by hour; nearest-rank percentiles; the busiest first where the key has no order of its own,
    /// then texts in UTF-8 byte order, NULL first.
    /// </summary>
    private static List<RequestLogBucketRecord> Expected(RequestLogStatsDimension dimension, List<RequestLogEntry> entries, RequestLogFilter filter)
    {
        var rolledUpCounts = filter.StatusCode is null && filter.Succeeded is null;
        var counted = entries.Where(entry => KeyMatches(entry, filter) && StatusMatches(entry, filter)).Where(entry => entry.CreatedAt < RolledUpBefore
            ? rolledUpCounts && dimension != RequestLogStatsDimension.HourAndAlias && DayTouched(entry.CreatedAt, filter)
            : entry.CreatedAt >= (filter.Since ?? DateTimeOffset.MinValue) && entry.CreatedAt <= (filter.Until ?? DateTimeOffset.MaxValue));
        var buckets = counted.GroupBy(entry => Key(dimension, entry)).Select(bucket =>
        {
            var raw = bucket.Where(entry => entry.CreatedAt >= RolledUpBefore).ToList();
            var (latencyP50, latencyP95) = NearestRanks(raw.Select(entry => (long?)entry.LatencyMs));
            var (ttfbP50, ttfbP95) = NearestRanks(raw.Select(entry => entry.TtfbMs));
            return new RequestLogBucketRecord(
                bucket.Key.Key, bucket.Key.SubKey, bucket.LongCount(), bucket.LongCount(entry => entry.StatusCode is < 200 or > 299),
                bucket.Sum(entry => entry.InputTokens ?? 0), bucket.Sum(entry => entry.OutputTokens ?? 0),
                bucket.Sum(entry => entry.CacheReadTokens ?? 0), bucket.Sum(entry => entry.CacheWriteTokens ?? 0),
                bucket.Sum(entry => entry.ReasoningTokens ?? 0), latencyP50, latencyP95, ttfbP50, ttfbP95);
        });
        var busiestFirst = dimension is RequestLogStatsDimension.Group or RequestLogStatsDimension.Alias
            or RequestLogStatsDimension.Provider or RequestLogStatsDimension.Key;
        return buckets
            .OrderBy(bucket => busiestFirst ? -bucket.Requests : 0)
            .ThenBy(bucket => bucket.Key, Utf8Order.Instance)
            .ThenBy(bucket => bucket.SubKey, Utf8Order.Instance)
            .ToList();
    }

    private static (string? Key, string? SubKey) Key(RequestLogStatsDimension dimension, RequestLogEntry entry) => dimension switch
    {
        RequestLogStatsDimension.Group => (entry.GroupId, null),
        RequestLogStatsDimension.Alias => (entry.GroupId, entry.RouteAlias),
        RequestLogStatsDimension.Provider => (entry.ProviderId, null),
        RequestLogStatsDimension.Day => (entry.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null),
        RequestLogStatsDimension.HourAndAlias => (entry.CreatedAt.ToString("yyyy-MM-dd'T'HH':00:00Z'", CultureInfo.InvariantCulture), entry.RouteAlias),
        RequestLogStatsDimension.DayAndAlias => (entry.CreatedAt.ToString("yyyy-MM-dd'T00:00:00Z'", CultureInfo.InvariantCulture), entry.RouteAlias),
        RequestLogStatsDimension.Key => (entry.ApiKeyId, null),
        RequestLogStatsDimension.Visitor => (entry.Visitor ? "visitor" : "regular", null),
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, null),
    };

    private static bool KeyMatches(RequestLogEntry entry, RequestLogFilter filter) =>
        (filter.ApiKeyId is null || filter.ApiKeyId == entry.ApiKeyId) && (filter.GroupId is null || filter.GroupId == entry.GroupId);

    private static bool StatusMatches(RequestLogEntry entry, RequestLogFilter filter) =>
        (filter.StatusCode is null || filter.StatusCode == entry.StatusCode) &&
        (filter.Succeeded is null || filter.Succeeded == entry.StatusCode is >= 200 and <= 299);

    private static bool DayTouched(DateTimeOffset at, RequestLogFilter filter) =>
        (filter.Since is null || at.Date >= filter.Since.Value.Date) && (filter.Until is null || at.Date <= filter.Until.Value.Date);

    private static (long? P50, long? P95) NearestRanks(IEnumerable<long?> values)
    {
        var sorted = values.OfType<long>().Order().ToList();
        return sorted.Count == 0
            ? (null, null)
            : (sorted[(int)Math.Ceiling(sorted.Count * 0.50) - 1], sorted[(int)Math.Ceiling(sorted.Count * 0.95) - 1]);
    }

    /// <summary>SQLite's BINARY order of texts: their UTF-8 bytes compared, NULL first.</summary>
    private sealed class Utf8Order : IComparer<string?>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? a, string? b) => (a, b) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            _ => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)),
        };
    }
}
