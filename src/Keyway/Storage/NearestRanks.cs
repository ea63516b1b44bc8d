using System.Globalization;

namespace Keyway.Storage;

/// <summary>
/// The nearest-rank p50 and p95 (the ⌈p·n/100⌉-th smallest value, what PostgreSQL's percentile_disc picks) of a SQLite
/// bucket's values, which group_concat collected in the GROUP BY that sums the bucket. The bundled SQLite has no
/// percentile function; aggregates of Keyway's own (CreateAggregate) cost a managed call per row and percentile, which
/// took a stats call at 1,000,000 rows to 37–92 s, where SQLite's own group_concat leaves one call per bucket.
/// </summary>
internal static class NearestRanks
{
    /// <summary>p50 and p95 of <paramref name="values"/>, comma-separated integers; nulls for null (a bucket without one).</summary>
    public static (long? P50, long? P95) Of(string? values)
    {
        if (values is null)
        {
            return (null, null);
        }
        var parsed = new long[values.AsSpan().Count(',') + 1];
        var rest = values.AsSpan();
        for (var i = 0; i < parsed.Length; i++)
        {
            var comma = rest.IndexOf(',');
            var value = comma < 0 ? rest : rest[..comma];
            parsed[i] = long.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            rest = comma < 0 ? [] : rest[(comma + 1)..];
        }
        Array.Sort(parsed);
        return (parsed[Rank(parsed.Length, 50)], parsed[Rank(parsed.Length, 95)]);
    }

    private static int Rank(int count, int percent) => (int)(((long)count * percent + 99) / 100) - 1;
}
