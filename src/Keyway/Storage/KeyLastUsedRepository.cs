using Dapper;

namespace Keyway.Storage;

/// <summary>Writes issued keys' last-used times in bulk, for the batched usage tracker.</summary>
public sealed class KeyLastUsedRepository(IDbConnectionFactory connections)
{
    /// <summary>Sets api_keys.last_used_at (ISO-8601 UTC) for every key given, in one transaction; unknown keys are ignored.</summary>
    public async Task UpdateLastUsedAsync(IReadOnlyCollection<KeyValuePair<string, DateTimeOffset>> lastUsed, CancellationToken cancellationToken)
    {
        if (lastUsed.Count == 0)
        {
            return;
        }
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (keyId, at) in lastUsed)
        {
            await connection.ExecuteAsync(
                "UPDATE api_keys SET last_used_at = @At WHERE key_id = @KeyId",
                new { KeyId = keyId, At = at.ToUniversalTime().ToString("O"), cancellationToken }, transaction);
        }
        await transaction.CommitAsync(cancellationToken);
    }
}
