using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// A group's route aliases and its unified alias share one name space but live in two tables, so no unique key keeps
/// them apart: a write of one checks the other table first, in a transaction that took the group's write lock before
/// the check. A second writer of the same group waits for that lock, and its check then sees the first one's row.
/// On SQLite the lock is the database's write lock (BEGIN IMMEDIATE, Microsoft.Data.Sqlite's default); on PostgreSQL
/// it is the group's row, locked FOR NO KEY UPDATE, which unlike FOR UPDATE still lets other sessions insert rows that
/// merely reference the group (providers, keys, request logs). Deleting a route or a provider takes the same lock, so
/// it cannot race a unified switch to the route it deletes.
/// </summary>
internal static class GroupAliasLock
{
    private const string AliasTaken = "The alias is taken in the group.";

    /// <summary>Begins the transaction and takes the lock of <paramref name="groupId"/>; dispose it to roll back.</summary>
    public static async Task<DbTransaction> BeginAsync(
        IDbConnectionFactory connections, DbConnection connection, string groupId, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (connections.Dialect == PostgresConnectionFactory.DialectName)
        {
            await connection.ExecuteAsync(
                "SELECT group_id FROM groups WHERE group_id = @groupId FOR NO KEY UPDATE", new { groupId, cancellationToken }, transaction);
        }
        return transaction;
    }

    /// <exception cref="StorageConflictException"><paramref name="alias"/> is the group's unified alias.</exception>
    public static async Task RefuseUnifiedAliasAsync(
        DbConnection connection, DbTransaction transaction, string groupId, string alias, CancellationToken cancellationToken) =>
        RefuseWhenFound(await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM group_unified_models WHERE group_id = @groupId AND alias = @alias",
            new { groupId, alias, cancellationToken }, transaction));

    /// <exception cref="StorageConflictException"><paramref name="alias"/> is a route's alias in the group.</exception>
    public static async Task RefuseRouteAliasAsync(
        DbConnection connection, DbTransaction transaction, string groupId, string alias, CancellationToken cancellationToken) =>
        RefuseWhenFound(await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM routes WHERE group_id = @groupId AND alias = @alias",
            new { groupId, alias, cancellationToken }, transaction));

    private static void RefuseWhenFound(long rowsWithTheAlias)
    {
        if (rowsWithTheAlias > 0)
        {
            throw new StorageConflictException(AliasTaken);
        }
    }
}
