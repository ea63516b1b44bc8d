using Dapper;

namespace Keyway.Storage;

/// <summary>
/// stored_responses: the Responses turns Keyway keeps for translated routes, each sealed (Storage never sees the
/// plaintext) and readable only by the issued key and group it was stored for, until it expires. Plain SQL that
/// SQLite and PostgreSQL both run.
/// </summary>
public sealed class StoredResponseRepository(IDbConnectionFactory connections)
{
    public async Task InsertAsync(StoredResponseRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO stored_responses (response_id, previous_response_id, key_id, group_id, sealed_turn, created_at, expires_at) " +
            "VALUES (@ResponseId, @PreviousResponseId, @KeyId, @GroupId, @SealedTurn, @CreatedAt, @ExpiresAt)",
            new
            {
                record.ResponseId,
                record.PreviousResponseId,
                record.KeyId,
                record.GroupId,
                record.SealedTurn,
                CreatedAt = StorageText.Timestamp(record.CreatedAt),
                ExpiresAt = StorageText.Timestamp(record.ExpiresAt),
                cancellationToken,
            });
    }

    /// <summary>
    /// The sealed turns of the conversation ending at <paramref name="responseId"/>, oldest first, in one query: the
    /// response and the ones it continued, back to the first or to an expired or deleted one, at most
    /// <paramref name="maxTurns"/> + 1 (so the caller sees a longer chain). Empty when the response itself is unknown,
    /// expired, or another key's.
    /// </summary>
    public async Task<IReadOnlyList<string>> LoadChainAsync(
        string responseId, string keyId, string groupId, DateTimeOffset now, int maxTurns, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var turns = await connection.QueryAsync<string>(
            "WITH RECURSIVE chain (previous_response_id, sealed_turn, depth) AS (" +
            " SELECT previous_response_id, sealed_turn, 0 FROM stored_responses" +
            " WHERE response_id = @responseId AND key_id = @keyId AND group_id = @groupId AND expires_at > @now" +
            " UNION ALL" +
            " SELECT s.previous_response_id, s.sealed_turn, c.depth + 1 FROM stored_responses s JOIN chain c ON s.response_id = c.previous_response_id" +
            " WHERE s.key_id = @keyId AND s.group_id = @groupId AND s.expires_at > @now AND c.depth < @maxTurns)" +
            " SELECT sealed_turn FROM chain ORDER BY depth DESC",
            new { responseId, keyId, groupId, now = StorageText.Timestamp(now), maxTurns, cancellationToken });
        return [.. turns];
    }

    /// <summary>The sealed turn of one response of the key, while it has not expired; null otherwise.</summary>
    public async Task<string?> GetAsync(string responseId, string keyId, string groupId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT sealed_turn FROM stored_responses WHERE response_id = @responseId AND key_id = @keyId AND group_id = @groupId AND expires_at > @now",
            new { responseId, keyId, groupId, now = StorageText.Timestamp(now), cancellationToken });
    }

    /// <summary>Deletes one response of the key; false when it had none of that id (or only an expired one).</summary>
    public async Task<bool> DeleteAsync(string responseId, string keyId, string groupId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "DELETE FROM stored_responses WHERE response_id = @responseId AND key_id = @keyId AND group_id = @groupId AND expires_at > @now",
            new { responseId, keyId, groupId, now = StorageText.Timestamp(now), cancellationToken }) > 0;
    }

    private const string PruneBatchSql =
        "DELETE FROM stored_responses WHERE response_id IN (SELECT response_id FROM stored_responses WHERE expires_at <= @now" +
        " OR NOT EXISTS (SELECT 1 FROM api_keys WHERE api_keys.key_id = stored_responses.key_id) LIMIT @batchSize)";

    /// <summary>
    /// Deletes the expired rows, and those of deleted keys, <paramref name="batchSize"/> at a time, each batch one
    /// <see cref="DatabaseExchange"/>; returns how many.
    /// </summary>
    public async Task<long> PruneAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?> { ["now"] = StorageText.Timestamp(now), ["batchSize"] = batchSize };
        long deleted = 0;
        var affected = 0;
        do
        {
            await DatabaseExchange.RunAsync(async bounded =>
            {
                await using var connection = await connections.OpenAsync(bounded);
                await using var command = connection.CreateCommand(PruneBatchSql, parameters);
                affected = await command.ExecuteNonQueryAsync(bounded);
            }, cancellationToken);
            deleted += affected;
        }
        while (affected == batchSize);
        return deleted;
    }
}
