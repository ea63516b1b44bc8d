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
        var rows = await connection.QueryAsync<Row>(
            "SELECT key_id AS KeyId, provider_id AS ProviderId, consecutive_failures AS ConsecutiveFailures, " +
            "credential_failures AS CredentialFailures, cooldown_until AS CooldownUntil, model_cooldowns AS ModelCooldowns, " +
            "quarantine_reason AS QuarantineReason, quarantined_at AS QuarantinedAt, last_status AS LastStatus, last_error AS LastError, " +
            "last_failure_at AS LastFailureAt, reset_at AS ResetAt FROM key_health", new { cancellationToken });
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
            await connection.ExecuteAsync(
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
                Parameters(state, cancellationToken), transaction);
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
        foreach (var keyId in keyIds)
        {
            await connection.ExecuteAsync(
                "UPDATE key_health SET consecutive_failures = 0, credential_failures = 0, cooldown_until = NULL, model_cooldowns = '{}', " +
                "quarantine_reason = NULL, quarantined_at = NULL, reset_at = @ResetAt " +
                "WHERE key_id = @KeyId AND COALESCE(reset_at, '') < @ResetAt",
                new { KeyId = keyId, ResetAt = stamp, cancellationToken }, transaction);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static HealthArgs Parameters(KeyHealthState state, CancellationToken cancellationToken) => new(
        state.KeyId, state.ProviderId, state.ConsecutiveFailures, state.CredentialFailures, StorageText.Timestamp(state.CooldownUntil),
        JsonSerializer.Serialize(
            new Dictionary<string, DateTimeOffset>(state.ModelCooldowns), StorageJsonContext.Default.DictionaryStringDateTimeOffset),
        state.QuarantineReason, StorageText.Timestamp(state.QuarantinedAt), state.LastStatus, state.LastError,
        StorageText.Timestamp(state.LastFailureAt), StorageText.Timestamp(state.ResetAt), cancellationToken);

    // ISO-8601 UTC text of one fixed width sorts as time does; no reset at all sorts first.
    private const string NewerReset = "COALESCE(excluded.reset_at, '') > COALESCE(key_health.reset_at, '')";

    internal sealed class Row
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

    /// <summary>A key's health as stored; a named type, so Dapper.AOT sees the parameters at build time.</summary>
    internal sealed record HealthArgs(
        string KeyId, string ProviderId, int ConsecutiveFailures, int CredentialFailures, string? CooldownUntil, string ModelCooldowns,
        string? QuarantineReason, string? QuarantinedAt, int? LastStatus, string? LastError, string? LastFailureAt, string? ResetAt,
        CancellationToken CancellationToken);
}
