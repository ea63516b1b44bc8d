using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Keyway.Storage;

/// <summary>
/// Every breakdown a stats call asks for, computed in one read of the window's raw rows and one of its rolled-up rows,
/// each row added to its bucket in every breakdown. A GROUP BY a breakdown made SQLite sort every row of the window
/// into a temporary B-tree (~1.7 s of CPU a breakdown at 1,000,000 rows, nine of them a dashboard refresh), and
/// PostgreSQL sort them twice more for percentile_disc (a stats call of 100,000 rows took 3.5–4.5 s there;
/// bench/RESULTS.md). Keys and sums are those of a GROUP BY over request_logs UNION ALL request_log_days: the roll-up's ''
/// stands for NULL where the raw column may be NULL, and hours are not rolled up. Buckets come in one order on both
/// databases, texts as SQLite's BINARY collation orders them (UTF-8 bytes), NULL first. Percentiles are nearest ranks
/// over raw rows only (what percentile_disc picks): the window's latencies and TTFBs are sorted once, and each breakdown
/// walks them in that order, taking a bucket's p50 and p95 as its count reaches their ranks.
/// </summary>
internal static class StatsBreakdowns
{
    private const string RawColumns =
        "group_id, route_alias, provider_id, api_key_id, visitor, created_at, status_code, input_tokens, output_tokens, " +
        "cache_read_tokens, cache_write_tokens, reasoning_tokens, latency_ms, ttfb_ms";

    private const string RolledUpColumns =
        "day, group_id, route_alias, provider_id, api_key_id, visitor, requests, errors, input_tokens, output_tokens, " +
        "cache_read_tokens, cache_write_tokens, reasoning_tokens";

    /// <summary>
    /// The buckets of each of <paramref name="dimensions"/>, in order, over the rows of <paramref name="filter"/>, read from
    /// <paramref name="rowSource"/> (request_logs, or on SQLite its table without the time index for a wide window).
    /// </summary>
    public static async Task<IReadOnlyList<RequestLogBucketRecord>[]> ComputeAsync(
        DbConnection connection, string rowSource, IReadOnlyList<RequestLogStatsDimension> dimensions, RequestLogFilter filter,
        CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>();
        var where = RequestLogSql.Where(filter, parameters);
        var rows = await RowsToReadAsync(connection, $"{rowSource} {where}", parameters, cancellationToken);
        var breakdowns = dimensions.Select(dimension => new Breakdown(dimension, rows)).ToArray();
        var times = new TimeTexts();
        var latencies = new RankedValues(rows);
        var ttfbs = new RankedValues(rows);

        await using (var reader = await SelectAsync(connection, $"SELECT {RawColumns} FROM {rowSource} {where}", parameters, cancellationToken))
        {
            for (var row = 0; await reader.ReadAsync(cancellationToken); row++)
            {
                var raw = RawRow.Read(reader);
                foreach (var breakdown in breakdowns)
                {
                    breakdown.Add(raw, times);
                }
                latencies.Add(raw.LatencyMs, row);
                ttfbs.Add(raw.TtfbMs, row);
            }
        }

        var rolledUpParameters = new Dictionary<string, object?>();
        if (RequestLogSql.RolledUpWhere(filter, rolledUpParameters) is { } rolledUpWhere)
        {
            await using var reader = await SelectAsync(
                connection, $"SELECT {RolledUpColumns} FROM request_log_days {rolledUpWhere}", rolledUpParameters, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var rolledUp = RolledUpRow.Read(reader);
                foreach (var breakdown in breakdowns)
                {
                    breakdown.Add(rolledUp);
                }
            }
        }

        latencies.Sort();
        ttfbs.Sort();
        return breakdowns.Select(breakdown => breakdown.Buckets(latencies, ttfbs)).ToArray();
    }

    /// <summary>
    /// The rows about to be read, to size the lists that keep a value a row: grown by doubling instead, at 1,000,000 rows
    /// they left ~50 MB of large arrays behind for the next full collection (a peak of 153 MB, then 191 and 223 MB on the
    /// next calls, in bench/stats). The read comes after the count, so room is left for the rows the gateway writes in
    /// between (a 64th more, and 4,096: seconds of heavy traffic); past it a list grows as before.
    /// </summary>
    private static async Task<int> RowsToReadAsync(
        DbConnection connection, string rowsWhere, Dictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand($"SELECT count(*) FROM {rowsWhere}", parameters);
        var rows = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return (int)Math.Min(Array.MaxLength, rows + rows / 64 + 4096);
    }

    /// <summary>SQLite's rows read by direct calls (<see cref="SqliteRows"/>: ~0.1 µs a column less than its ADO.NET reader).</summary>
    private static async Task<IStatsRows> SelectAsync(
        DbConnection connection, string sql, Dictionary<string, object?> parameters, CancellationToken cancellationToken) =>
        connection is SqliteConnection sqlite
            ? SqliteRows.Select(sqlite, sql, parameters)
            : await DataReaderRows.SelectAsync(connection, sql, parameters, cancellationToken);

    /// <summary>What one request_logs row gives a bucket; status, created_at, latency and visitor are NOT NULL there.</summary>
    private readonly record struct RawRow(
        string GroupId, string? RouteAlias, string? ProviderId, string? ApiKeyId, bool Visitor, long CreatedAt, Figures Figures,
        long LatencyMs, long? TtfbMs)
    {
        public static RawRow Read(IStatsRows reader)
        {
            var status = reader.Integer(6);
            return new RawRow(
                reader.Text(0), reader.NullableText(1), reader.NullableText(2), reader.NullableText(3),
                reader.Integer(4) == 1, reader.Integer(5),
                new Figures(1, status is >= 200 and <= 299 ? 0 : 1, reader.NullableInteger(7) ?? 0, reader.NullableInteger(8) ?? 0,
                    reader.NullableInteger(9) ?? 0, reader.NullableInteger(10) ?? 0, reader.NullableInteger(11) ?? 0),
                reader.Integer(12), reader.NullableInteger(13));
        }
    }

    /// <summary>One request_log_days row: every column NOT NULL, '' for a raw NULL.</summary>
    private readonly record struct RolledUpRow(
        string Day, string GroupId, string RouteAlias, string ProviderId, string ApiKeyId, bool Visitor, Figures Figures)
    {
        public static RolledUpRow Read(IStatsRows reader) => new(
            reader.Text(0), reader.Text(1), reader.Text(2), reader.Text(3), reader.Text(4), reader.Integer(5) == 1,
            new Figures(reader.Integer(6), reader.Integer(7), reader.Integer(8), reader.Integer(9), reader.Integer(10),
                reader.Integer(11), reader.Integer(12)));
    }

    /// <summary>The summed figures of a row or a bucket; a NULL token count adds nothing, as SUM skips it.</summary>
    private readonly record struct Figures(
        long Requests, long Errors, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, long ReasoningTokens)
    {
        public static Figures operator +(Figures a, Figures b) => new(
            a.Requests + b.Requests, a.Errors + b.Errors, a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens,
            a.CacheReadTokens + b.CacheReadTokens, a.CacheWriteTokens + b.CacheWriteTokens, a.ReasoningTokens + b.ReasoningTokens);
    }

    private readonly record struct BucketKey(string? Key, string? SubKey);

    /// <summary>One dimension's buckets, and which bucket each raw row went to (for the percentiles).</summary>
    private sealed class Breakdown(RequestLogStatsDimension dimension, int rows)
    {
        private readonly Dictionary<BucketKey, int> _indexOf = [];
        private readonly List<BucketKey> _keys = [];
        private readonly List<Figures> _figures = [];
        private readonly List<int> _bucketOfRow = new(rows);

        public void Add(in RawRow row, TimeTexts times)
        {
            var key = dimension switch
            {
                RequestLogStatsDimension.Group => new BucketKey(row.GroupId, null),
                RequestLogStatsDimension.Alias => new BucketKey(row.GroupId, row.RouteAlias),
                RequestLogStatsDimension.Provider => new BucketKey(row.ProviderId, null),
                RequestLogStatsDimension.Day => new BucketKey(times.Day(row.CreatedAt), null),
                RequestLogStatsDimension.HourAndAlias => new BucketKey(times.HourStart(row.CreatedAt), row.RouteAlias),
                RequestLogStatsDimension.DayAndAlias => new BucketKey(times.DayStart(row.CreatedAt), row.RouteAlias),
                RequestLogStatsDimension.Key => new BucketKey(row.ApiKeyId, null),
                RequestLogStatsDimension.Visitor => new BucketKey(VisitorKey(row.Visitor), null),
                _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, null),
            };
            _bucketOfRow.Add(AddTo(key, row.Figures));
        }

        /// <summary>Hours are not rolled up: a rolled-up row has no bucket in <see cref="RequestLogStatsDimension.HourAndAlias"/>.</summary>
        public void Add(in RolledUpRow row)
        {
            BucketKey? key = dimension switch
            {
                RequestLogStatsDimension.Group => new BucketKey(row.GroupId, null),
                RequestLogStatsDimension.Alias => new BucketKey(row.GroupId, NullIfEmpty(row.RouteAlias)),
                RequestLogStatsDimension.Provider => new BucketKey(NullIfEmpty(row.ProviderId), null),
                RequestLogStatsDimension.Day => new BucketKey(row.Day, null),
                RequestLogStatsDimension.HourAndAlias => null,
                RequestLogStatsDimension.DayAndAlias => new BucketKey(row.Day + TimeTexts.MidnightSuffix, NullIfEmpty(row.RouteAlias)),
                RequestLogStatsDimension.Key => new BucketKey(NullIfEmpty(row.ApiKeyId), null),
                RequestLogStatsDimension.Visitor => new BucketKey(VisitorKey(row.Visitor), null),
                _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, null),
            };
            if (key is { } bucket)
            {
                AddTo(bucket, row.Figures);
            }
        }

        public IReadOnlyList<RequestLogBucketRecord> Buckets(RankedValues latencies, RankedValues ttfbs)
        {
            var bucketOfRow = CollectionsMarshal.AsSpan(_bucketOfRow);
            var latency = latencies.NearestRanks(bucketOfRow, _keys.Count);
            var ttfb = ttfbs.NearestRanks(bucketOfRow, _keys.Count);
            var buckets = new RequestLogBucketRecord[_keys.Count];
            for (var i = 0; i < buckets.Length; i++)
            {
                var (key, figures) = (_keys[i], _figures[i]);
                buckets[i] = new RequestLogBucketRecord(
                    key.Key, key.SubKey, figures.Requests, figures.Errors, figures.InputTokens, figures.OutputTokens,
                    figures.CacheReadTokens, figures.CacheWriteTokens, figures.ReasoningTokens,
                    latency[i].P50, latency[i].P95, ttfb[i].P50, ttfb[i].P95);
            }
            Array.Sort(buckets, Order);
            return buckets;
        }

        private int AddTo(BucketKey key, Figures figures)
        {
            ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_indexOf, key, out var exists);
            if (!exists)
            {
                index = _keys.Count;
                _keys.Add(key);
                _figures.Add(default);
            }
            CollectionsMarshal.AsSpan(_figures)[index] += figures;
            return index;
        }

        /// <summary>
        /// Whether the buckets come busiest first (then by key), for keys without an order of their own; time and visitor
        /// buckets come in the order of their keys.
        /// </summary>
        private bool BusiestFirst => dimension is RequestLogStatsDimension.Group or RequestLogStatsDimension.Alias
            or RequestLogStatsDimension.Provider or RequestLogStatsDimension.Key;

        /// <summary>The buckets' order (<see cref="BusiestFirst"/>), keys in SQLite's order.</summary>
        private int Order(RequestLogBucketRecord a, RequestLogBucketRecord b)
        {
            var byRequests = BusiestFirst ? b.Requests.CompareTo(a.Requests) : 0;
            return byRequests != 0 ? byRequests
                : SqliteText.Compare(a.Key, b.Key) is var byKey and not 0 ? byKey
                : SqliteText.Compare(a.SubKey, b.SubKey);
        }

        private static string VisitorKey(bool visitor) => visitor ? "visitor" : "regular";

        private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
    }

    /// <summary>
    /// A column's non-null values over the raw rows, with the row each came from, sorted once; each breakdown then finds
    /// its buckets' nearest ranks (the ⌈p·n/100⌉-th smallest, what PostgreSQL's percentile_disc picks) in one walk.
    /// </summary>
    private sealed class RankedValues(int rows)
    {
        private readonly List<long> _values = new(rows);
        private readonly List<int> _rows = new(rows);

        public void Add(long? value, int row)
        {
            if (value is { } present)
            {
                _values.Add(present);
                _rows.Add(row);
            }
        }

        public void Sort() => CollectionsMarshal.AsSpan(_values).Sort(CollectionsMarshal.AsSpan(_rows));

        public (long? P50, long? P95)[] NearestRanks(ReadOnlySpan<int> bucketOfRow, int bucketCount)
        {
            var counts = new int[bucketCount];
            foreach (var row in _rows)
            {
                counts[bucketOfRow[row]]++;
            }
            var ranks = new (long? P50, long? P95)[bucketCount];
            var seen = new int[bucketCount];
            var values = CollectionsMarshal.AsSpan(_values);
            var rows = CollectionsMarshal.AsSpan(_rows);
            for (var i = 0; i < values.Length; i++)
            {
                var bucket = bucketOfRow[rows[i]];
                var rank = seen[bucket]++;
                if (rank == Rank(counts[bucket], 50))
                {
                    ranks[bucket].P50 = values[i];
                }
                if (rank == Rank(counts[bucket], 95))
                {
                    ranks[bucket].P95 = values[i];
                }
            }
            return ranks;
        }

        /// <summary>The 0-based index of the ⌈p·n/100⌉-th smallest of <paramref name="count"/> values.</summary>
        private static int Rank(int count, int percent) => (int)(((long)count * percent + 99) / 100) - 1;
    }
}
