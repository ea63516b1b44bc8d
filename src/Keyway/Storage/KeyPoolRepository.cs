using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// The writes of a provider's key pool that depend on the pool as it is: a key added at its end, a key changed (moved
/// when its sort_order changes), the whole pool reordered. Each runs in one transaction under the pool's lock
/// (<see cref="LockPoolAsync"/>), so concurrent writes of one pool, on one instance or several, never leave two keys in
/// one place. The pool is read, with its provider, by <see cref="ProviderRepository"/>.
/// </summary>
public sealed class KeyPoolRepository(IDbConnectionFactory connections)
{
    /// <summary>
    /// Adds the key <paramref name="newKey"/> makes of the pool as it is under the pool's lock (<see cref="LockPoolAsync"/>),
    /// so a check it makes (a secret held twice) and the place it gives cannot be outdated by a write of the same pool.
    /// An exception <paramref name="newKey"/> throws rolls back and reaches the caller.
    /// </summary>
    /// <returns>False when the provider does not exist.</returns>
    /// <exception cref="StorageConflictException">The provider already has a key with this name.</exception>
    public async Task<bool> AddKeyAsync(
        string providerId, Func<IReadOnlyList<UpstreamKeyRecord>, UpstreamKeyRecord> newKey, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await LockPoolAsync(connection, transaction, providerId, cancellationToken))
        {
            return false;
        }
        var key = newKey(await ProviderRepository.PoolAsync(connection, transaction, providerId, cancellationToken));
        await ConstraintGuard.RunAsync(() => ProviderRepository.InsertKeysAsync(connection, transaction, [key], cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Writes what <paramref name="change"/> makes of the key <paramref name="keyId"/> as it is under the pool's lock, given
    /// the pool too: a field the change keeps is the current one, never one read before a concurrent reorder moved the key.
    /// A change of its sort_order moves the key to that place in the pool (counted from 0, the end when past it) and
    /// numbers the pool 0, 1, 2… afresh in the same transaction, so no two keys of the pool share a place, however many
    /// instances change it at once.
    /// </summary>
    /// <returns>False when the provider or the key does not exist.</returns>
    /// <exception cref="StorageConflictException">The new name is taken by another key of the provider.</exception>
    public async Task<bool> UpdateKeyAsync(
        string providerId, string keyId, Func<UpstreamKeyRecord, IReadOnlyList<UpstreamKeyRecord>, UpstreamKeyRecord> change,
        CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await LockPoolAsync(connection, transaction, providerId, cancellationToken))
        {
            return false;
        }
        var pool = await ProviderRepository.PoolAsync(connection, transaction, providerId, cancellationToken);
        if (pool.FirstOrDefault(key => key.KeyId == keyId) is not { } current)
        {
            return false;
        }
        var updated = change(current, pool) with { KeyId = keyId, ProviderId = providerId };
        if (updated.SortOrder == current.SortOrder)
        {
            await ConstraintGuard.RunAsync(() => ProviderRepository.UpdateKeyRowAsync(connection, transaction, updated, cancellationToken));
        }
        else
        {
            var order = OrderWithMoved(pool, keyId, updated.SortOrder);
            await ConstraintGuard.RunAsync(() =>
                ProviderRepository.UpdateKeyRowAsync(connection, transaction, updated with { SortOrder = order.IndexOf(keyId) }, cancellationToken));
            for (var position = 0; position < order.Count; position++)
            {
                if (order[position] != keyId && pool.First(key => key.KeyId == order[position]).SortOrder != position)
                {
                    await SetSortOrderAsync(connection, transaction, providerId, order[position], position, cancellationToken);
                }
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The ids of <paramref name="pool"/> (in its order) with <paramref name="keyId"/> moved to <paramref name="position"/>, or last when past the end.</summary>
    private static List<string> OrderWithMoved(IReadOnlyList<UpstreamKeyRecord> pool, string keyId, int position)
    {
        var order = pool.Where(key => key.KeyId != keyId).Select(key => key.KeyId).ToList();
        order.Insert(Math.Min(position, order.Count), keyId);
        return order;
    }

    /// <summary>
    /// Numbers the pool's keys 0, 1, 2… in the order of <paramref name="keyIds"/>, all in one transaction, so the pool is
    /// never seen half reordered and two reorders at once end in the order of one of them.
    /// </summary>
    /// <returns>False, changing nothing, when <paramref name="keyIds"/> are not exactly the pool's keys (one was added
    /// or removed meanwhile, or the provider deleted).</returns>
    public async Task<bool> ReorderKeysAsync(string providerId, IReadOnlyList<string> keyIds, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var provider = await LockPoolAsync(connection, transaction, providerId, cancellationToken);
        var currentIds = await ProviderRepository.KeyIdsAsync(connection, transaction, providerId, cancellationToken);
        if (!provider || currentIds.Count != keyIds.Count || !currentIds.ToHashSet(StringComparer.Ordinal).SetEquals(keyIds))
        {
            return false;
        }
        for (var position = 0; position < keyIds.Count; position++)
        {
            if (await SetSortOrderAsync(connection, transaction, providerId, keyIds[position], position, cancellationToken) == 0)
            {
                return false;
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static Task<int> SetSortOrderAsync(
        DbConnection connection, DbTransaction transaction, string providerId, string keyId, int sortOrder, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "UPDATE provider_keys SET sort_order = @sortOrder WHERE key_id = @keyId AND provider_id = @providerId",
            new { providerId, keyId, sortOrder, cancellationToken }, transaction);

    /// <summary>
    /// The provider's row, changing nothing, as the first write of <paramref name="transaction"/>: on PostgreSQL its row
    /// lock makes every write of one provider's pool (adding or changing a key, a reorder, a pool replacement in
    /// <see cref="ProviderRepository.UpdateAsync"/>) wait for the others, instead of interleaving or deadlocking over the
    /// key rows; on SQLite the transaction (BEGIN IMMEDIATE) already holds the database's write lock. A pool read after it
    /// is the current one.
    /// </summary>
    /// <returns>False when the provider does not exist.</returns>
    private static async Task<bool> LockPoolAsync(
        DbConnection connection, DbTransaction transaction, string providerId, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(
            "UPDATE providers SET updated_at = updated_at WHERE provider_id = @providerId", new { providerId, cancellationToken }, transaction) > 0;
}
