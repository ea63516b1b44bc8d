using System.Text.Json;
using Dapper;
using Keyway.Upstreams;

namespace Keyway.Storage;

/// <summary>key_health: the persisted cooldown and quarantine state of upstream keys, one row per key.</summary>
public sealed class KeyHealthRepository(IDbConnectionFactory connections)
{
    public async Task<IReadOnlyList<KeyHealthState>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT key_id AS KeyId, provider_id AS ProviderId, consecutive_failures AS ConsecutiveFailures, " +
            "credential_failures AS CredentialFailures, cooldown_until AS CooldownUntil, model_cooldowns AS ModelCooldowns, " +
            "quarantine_reason AS QuarantineReason, quarantined_at AS QuarantinedAt, last_status AS LastStatus, last_error AS LastError, " +
            "last_failure_at AS LastFailureAt, reset_at AS ResetAt FROM key_health", cancellationToken: cancellationToken));
        return rows.Select(row => row.ToState()).ToList();
    }

    /// <summary>
    /// Writes the latest state of each key in one transaction; keys deleted meanwhile are skipped. A state that has not
    /// seen the stored reset (its writer had not merged it yet) changes nothing: the reset outranks it.
    /// </summary>
    public async Task UpsertAsync(IReadOnlyCollection<KeyHealthState> states, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var state in states)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO key_health (key_id, provider_id, consecutive_failures, credential_failures, cooldown_until, model_cooldowns, " +
                "quarantine_reason, quarantined_at, last_status, last_error, last_failure_at, reset_at) " +
                "SELECT @KeyId, @ProviderId, @ConsecutiveFailures, @CredentialFailures, @CooldownUntil, @ModelCooldowns, @QuarantineReason, " +
                "@QuarantinedAt, @LastStatus, @LastError, @LastFailureAt, @ResetAt WHERE EXISTS (SELECT 1 FROM provider_keys WHERE key_id = @KeyId) " +
                "ON CONFLICT (key_id) DO UPDATE SET consecutive_failures = excluded.consecutive_failures, " +
                "credential_failures = excluded.credential_failures, " +
                // Another instance may have stored a later cooldown meanwhile: it is kept, unless this state carries a
                // newer reset (a cleared one, null, is written).
                "cooldown_until = CASE WHEN " + NewerReset + " THEN excluded.cooldown_until " +
                "WHEN key_health.cooldown_until > excluded.cooldown_until THEN key_health.cooldown_until ELSE excluded.cooldown_until END, " +
                "model_cooldowns = excluded.model_cooldowns, quarantine_reason = excluded.quarantine_reason, " +
                "quarantined_at = excluded.quarantined_at, last_status = excluded.last_status, last_error = excluded.last_error, " +
                "last_failure_at = excluded.last_failure_at, reset_at = excluded.reset_at " +
                "WHERE COALESCE(excluded.reset_at, '') >= COALESCE(key_health.reset_at, '')",
                Parameters(state), transaction, cancellationToken: cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// An admin reset: clears cooldowns, quarantine and counters of the stored keys and stamps <paramref name="resetAt"/>,
    /// which every instance's next sync takes over its own older state (keys already reset later are left alone).
    /// </summary>
    public async Task ResetAsync(IReadOnlyCollection<string> keyIds, DateTimeOffset resetAt, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stamp = StorageText.Timestamp(resetAt);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE key_health SET consecutive_failures = 0, credential_failures = 0, cooldown_until = NULL, model_cooldowns = '{}', " +
            "quarantine_reason = NULL, quarantined_at = NULL, reset_at = @ResetAt " +
            "WHERE key_id = @KeyId AND COALESCE(reset_at, '') < @ResetAt",
            keyIds.Select(keyId => new { KeyId = keyId, ResetAt = stamp }), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    // ISO-8601 UTC text of one fixed width sorts as time does; no reset at all sorts first.
    private const string NewerReset = "COALESCE(excluded.reset_at, '') > COALESCE(key_health.reset_at, '')";

    private static object Parameters(KeyHealthState state) => new
    {
        state.KeyId,
        state.ProviderId,
        state.ConsecutiveFailures,
        state.CredentialFailures,
        CooldownUntil = StorageText.Timestamp(state.CooldownUntil),
        ModelCooldowns = JsonSerializer.Serialize(
            new Dictionary<string, DateTimeOffset>(state.ModelCooldowns), StorageJsonContext.Default.DictionaryStringDateTimeOffset),
        state.QuarantineReason,
        QuarantinedAt = StorageText.Timestamp(state.QuarantinedAt),
        state.LastStatus,
        state.LastError,
        LastFailureAt = StorageText.Timestamp(state.LastFailureAt),
        ResetAt = StorageText.Timestamp(state.ResetAt),
    };

    private sealed class Row
    {
        public string KeyId { get; set; } = "";
        public string ProviderId { get; set; } = "";
        public long ConsecutiveFailures { get; set; }
        public long CredentialFailures { get; set; }
        public string? CooldownUntil { get; set; }
        public string ModelCooldowns { get; set; } = "{}";
        public string? QuarantineReason { get; set; }
        public string? QuarantinedAt { get; set; }
        public long? LastStatus { get; set; }
        public string? LastError { get; set; }
        public string? LastFailureAt { get; set; }
        public string? ResetAt { get; set; }

        public KeyHealthState ToState() => new(
            KeyId, ProviderId, (int)ConsecutiveFailures, (int)CredentialFailures, StorageText.ParseOptionalTimestamp(CooldownUntil),
            JsonSerializer.Deserialize(ModelCooldowns, StorageJsonContext.Default.DictionaryStringDateTimeOffset) ?? [],
            QuarantineReason, StorageText.ParseOptionalTimestamp(QuarantinedAt), (int?)LastStatus, LastError,
            StorageText.ParseOptionalTimestamp(LastFailureAt), StorageText.ParseOptionalTimestamp(ResetAt));
    }
}
