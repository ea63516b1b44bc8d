using Dapper;

namespace Keyway.Storage;

/// <summary>
/// key_rate_windows: each instance's current window counts and requests in flight per issued key, and its requests in
/// flight per capped upstream key (provider_keys; no window counts). Key ids of both are random GUIDs, so one never
/// names the other. Writes are upserts of one instance's own rows (skipping keys that were deleted); reads return the
/// other instances' rows. Plain SQL that SQLite and PostgreSQL both run.
/// </summary>
public sealed class KeyRateWindowRepository(IDbConnectionFactory connections)
{
    /// <summary>Sets this instance's rows of the given keys, in one transaction.</summary>
    public async Task UpsertAsync(string instanceId, IReadOnlyList<KeyRateShare> shares, CancellationToken cancellationToken)
    {
        if (shares.Count == 0)
        {
            return;
        }
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var share in shares)
        {
            await connection.ExecuteAsync(
            "INSERT INTO key_rate_windows (key_id, instance_id, window_start, requests, tokens, in_flight, updated_at) " +
            "SELECT @KeyId, @InstanceId, @WindowStart, @Requests, @Tokens, @InFlight, @UpdatedAt " +
            "WHERE EXISTS (SELECT 1 FROM api_keys WHERE key_id = @KeyId) OR EXISTS (SELECT 1 FROM provider_keys WHERE key_id = @KeyId) " +
            "ON CONFLICT (key_id, instance_id) DO UPDATE SET window_start = excluded.window_start, requests = excluded.requests, " +
            "tokens = excluded.tokens, in_flight = excluded.in_flight, updated_at = excluded.updated_at",
            new
            {
                share.KeyId,
                InstanceId = instanceId,
                WindowStart = StorageText.Timestamp(share.WindowStart),
                share.Requests,
                share.Tokens,
                share.InFlight,
                UpdatedAt = StorageText.Timestamp(share.UpdatedAt),
                cancellationToken,
            },
            transaction);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The other instances' rows written since <paramref name="since"/> (older ones hold no running window).</summary>
    public async Task<IReadOnlyList<KeyRateShare>> ListOthersAsync(string instanceId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            "SELECT key_id, window_start, requests, tokens, in_flight, updated_at FROM key_rate_windows WHERE instance_id <> @instanceId AND updated_at >= @since",
            new { instanceId, since = StorageText.Timestamp(since), cancellationToken });
        return rows.Select(row => new KeyRateShare(
            row.KeyId, StorageText.ParseTimestamp(row.WindowStart), row.Requests, row.Tokens, row.InFlight, StorageText.ParseTimestamp(row.UpdatedAt))).ToList();
    }

    /// <summary>Deletes every instance's rows last written before <paramref name="before"/>, and the rows of deleted keys.</summary>
    public async Task PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "DELETE FROM key_rate_windows WHERE updated_at < @before " +
            "OR (NOT EXISTS (SELECT 1 FROM api_keys WHERE api_keys.key_id = key_rate_windows.key_id) " +
            "AND NOT EXISTS (SELECT 1 FROM provider_keys WHERE provider_keys.key_id = key_rate_windows.key_id))",
            new { before = StorageText.Timestamp(before), cancellationToken });
    }

    /// <summary>A row as read: Dapper.AOT matches the snake_case columns to these names ignoring case and underscores.</summary>
    internal sealed class Row
    {
        public string KeyId { get; set; } = "";
        public string WindowStart { get; set; } = "";
        public long Requests { get; set; }
        public long Tokens { get; set; }
        public long InFlight { get; set; }
        public string UpdatedAt { get; set; } = "";
    }
}
