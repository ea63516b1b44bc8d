using Microsoft.Data.Sqlite;

namespace Keyway.Storage;

/// <summary>
/// keyway_p50(x) and keyway_p95(x): SQLite aggregates returning the nearest-rank percentile (the ⌈p·n/100⌉-th smallest
/// of a group's non-null values, what PostgreSQL's percentile_disc picks), null for a group without one. The bundled
/// SQLite is built without SQLITE_ENABLE_PERCENTILE, and ranking each group's rows with ROW_NUMBER over a window sorted
/// every row again per percentile column: 80,000 rows made one /admin/llm/stats call take 16 s, long enough for the
/// admin UI's periodic reads to overlap and keep the WAL from being reset. These read each row once, in the GROUP BY.
/// Registered on every connection by <see cref="SqliteConnectionFactory"/>.
/// </summary>
internal static class NearestRankAggregates
{
    public static void Register(SqliteConnection connection)
    {
        Register(connection, "keyway_p50", 50);
        Register(connection, "keyway_p95", 95);
    }

    /// <summary>The nearest-rank <paramref name="percent"/> of <paramref name="values"/>, which it sorts; null when empty.</summary>
    public static long? Percentile(List<long> values, int percent)
    {
        if (values.Count == 0)
        {
            return null;
        }
        values.Sort();
        return values[(int)(((long)values.Count * percent + 99) / 100) - 1];
    }

    // The seed is shared by every group of a query, so each group's list is made on its first non-null value.
    private static void Register(SqliteConnection connection, string name, int percent) =>
        connection.CreateAggregate<long?, List<long>?, long?>(
            name,
            null,
            static (values, value) =>
            {
                if (value is { } v)
                {
                    (values ??= []).Add(v);
                }
                return values;
            },
            values => values is null ? null : Percentile(values, percent),
            isDeterministic: true);
}
