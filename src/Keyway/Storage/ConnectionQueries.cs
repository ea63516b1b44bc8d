using System.Data.Common;

namespace Keyway.Storage;

public static class ConnectionQueries
{
    /// <summary>
    /// Opens a connection, runs <paramref name="query"/> (a Dapper call written at the repository, where Dapper.AOT can
    /// read its constant SQL at build time) and maps every row while the connection is open.
    /// </summary>
    internal static async Task<List<TRecord>> ReadAllAsync<TRow, TRecord>(
        this IDbConnectionFactory connections, Func<DbConnection, Task<IEnumerable<TRow>>> query, Func<TRow, TRecord> toRecord,
        CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await query(connection)).Select(toRecord).ToList();
    }
}
