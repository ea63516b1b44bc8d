using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// key_usage: each instance's absolute usage counts per issued key and UTC day. Writes are idempotent upserts of one
/// instance's own rows (skipping keys that were deleted); reads sum over instances. A key's rows are deleted with it
/// (<see cref="IssuedKeyRepository.DeleteAsync"/>), and <see cref="PruneDeletedKeysAsync"/> deletes any a write racing
/// the delete left. Plain SQL that SQLite and PostgreSQL both run.
/// </summary>
public sealed class KeyUsageRepository(IDbConnectionFactory connections)
{
    private const string Sums =
        "CAST(COALESCE(SUM(requests), 0) AS BIGINT), CAST(COALESCE(SUM(errors), 0) AS BIGINT), " +
        "CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT), " +
        "CAST(COALESCE(SUM(cache_read_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(cache_write_tokens), 0) AS BIGINT), " +
        "CAST(COALESCE(SUM(reasoning_tokens), 0) AS BIGINT)";

    /// <summary>Sets this instance's rows to the given counts, in one transaction.</summary>
    public async Task UpsertAsync(string instanceId, IReadOnlyList<KeyUsageDay> days, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (days.Count == 0)
        {
            return;
        }
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var day in days)
        {
            await connection.ExecuteAsync(
            "INSERT INTO key_usage (key_id, day, instance_id, requests, errors, input_tokens, output_tokens, cache_read_tokens, " +
            "cache_write_tokens, reasoning_tokens, updated_at) SELECT @KeyId, @Day, @InstanceId, @Requests, @Errors, @InputTokens, " +
            "@OutputTokens, @CacheReadTokens, @CacheWriteTokens, @ReasoningTokens, @UpdatedAt " +
            "WHERE EXISTS (SELECT 1 FROM api_keys WHERE key_id = @KeyId) " +
            "ON CONFLICT (key_id, day, instance_id) DO UPDATE SET requests = excluded.requests, errors = excluded.errors, " +
            "input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cache_read_tokens = excluded.cache_read_tokens, " +
            "cache_write_tokens = excluded.cache_write_tokens, reasoning_tokens = excluded.reasoning_tokens, updated_at = excluded.updated_at",
            new
            {
                day.KeyId,
                day.Day,
                InstanceId = instanceId,
                day.Figures.Requests,
                day.Figures.Errors,
                day.Figures.InputTokens,
                day.Figures.OutputTokens,
                day.Figures.CacheReadTokens,
                day.Figures.CacheWriteTokens,
                day.Figures.ReasoningTokens,
                UpdatedAt = StorageText.Timestamp(now),
                cancellationToken,
            },
            transaction);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Every key's usage per day from <paramref name="fromDay"/> on, summed over all instances but <paramref name="instanceId"/>.</summary>
    public async Task<IReadOnlyList<KeyUsageDay>> ListOthersAsync(string instanceId, string fromDay, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            $"SELECT key_id, day, {Sums} FROM key_usage WHERE instance_id <> @instanceId AND day >= @fromDay GROUP BY key_id, day",
            new Dictionary<string, object?> { ["instanceId"] = instanceId, ["fromDay"] = fromDay });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var days = new List<KeyUsageDay>();
        while (await reader.ReadAsync(cancellationToken))
        {
            days.Add(new KeyUsageDay(reader.GetString(0), reader.GetString(1), ReadFigures(reader, 2)));
        }
        return days;
    }

    /// <summary>One key's usage over the days from <paramref name="fromDay"/> to <paramref name="toDay"/> (both inclusive), all instances.</summary>
    public async Task<KeyUsageFigures> SumAsync(string keyId, string fromDay, string toDay, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            $"SELECT {Sums} FROM key_usage WHERE key_id = @keyId AND day >= @fromDay AND day <= @toDay",
            new Dictionary<string, object?> { ["keyId"] = keyId, ["fromDay"] = fromDay, ["toDay"] = toDay });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadFigures(reader, 0) : KeyUsageFigures.Zero;
    }

    /// <summary>
    /// The usage of each key of <paramref name="groupId"/> that has any over the days from <paramref name="fromDay"/> to
    /// <paramref name="toDay"/> (both inclusive), all instances, by key id: one query for a whole group's dashboard.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, KeyUsageFigures>> SumByKeyAsync(
        string groupId, string fromDay, string toDay, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            $"SELECT key_id, {Sums} FROM key_usage WHERE day >= @fromDay AND day <= @toDay " +
            "AND key_id IN (SELECT key_id FROM api_keys WHERE group_id = @groupId) GROUP BY key_id",
            new Dictionary<string, object?> { ["groupId"] = groupId, ["fromDay"] = fromDay, ["toDay"] = toDay });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sums = new Dictionary<string, KeyUsageFigures>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            sums[reader.GetString(0)] = ReadFigures(reader, 1);
        }
        return sums;
    }

    /// <summary>Deletes the rows of keys that no longer exist.</summary>
    public async Task PruneDeletedKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "DELETE FROM key_usage WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE api_keys.key_id = key_usage.key_id)",
            new { cancellationToken });
    }

    private static KeyUsageFigures ReadFigures(DbDataReader reader, int first) => new(
        reader.GetInt64(first), reader.GetInt64(first + 1), reader.GetInt64(first + 2), reader.GetInt64(first + 3),
        reader.GetInt64(first + 4), reader.GetInt64(first + 5), reader.GetInt64(first + 6));
}
