using System.Data.Common;
using Dapper;

namespace Keyway.Storage;

/// <summary>Self-issued client keys (api_keys): hash for authentication, sealed plaintext for the admin.</summary>
public sealed class IssuedKeyRepository(IDbConnectionFactory connections)
{
    private const string Columns =
        "key_id AS KeyId, group_id AS GroupId, name AS Name, owner_user_id AS OwnerUserId, key_hash AS KeyHash, key_prefix AS KeyPrefix, " +
        "sealed_plaintext AS SealedPlaintext, enabled AS Enabled, expires_at AS ExpiresAt, last_used_at AS LastUsedAt, " +
        "created_at AS CreatedAt, updated_at AS UpdatedAt, web_search AS WebSearch, " + IssuedKeyPolicyColumns.Select;

    public Task<IReadOnlyList<IssuedKeyRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync("1 = 1", null, cancellationToken);

    /// <summary>Newest first, as the Python Keyway listed them.</summary>
    public Task<IReadOnlyList<IssuedKeyRecord>> ListByGroupAsync(string groupId, CancellationToken cancellationToken) =>
        QueryAsync("group_id = @groupId", new { groupId }, cancellationToken);

    public async Task<IssuedKeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken) =>
        (await QueryAsync("key_id = @keyId", new { keyId }, cancellationToken)).SingleOrDefault();

    /// <exception cref="StorageConflictException">The key id or hash exists.</exception>
    public async Task CreateAsync(IssuedKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertAsync(connection, null, key, cancellationToken));
    }

    /// <summary>Updates name, owner, enabled, expiry and policy; the hash and the sealed plaintext never change.</summary>
    public async Task<bool> UpdateAsync(IssuedKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET name = @Name, owner_user_id = @OwnerUserId, enabled = @Enabled, expires_at = @ExpiresAt, " +
            "updated_at = @UpdatedAt, web_search = @WebSearch, " + IssuedKeyPolicyColumns.Set + " WHERE key_id = @KeyId",
            Parameters(key), cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Deletes the key with its usage rows and rate windows, in one transaction.</summary>
    public async Task<bool> DeleteAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var table in (string[])["key_usage", "key_rate_windows"])
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {table} WHERE key_id = @keyId", new { keyId }, transaction, cancellationToken: cancellationToken));
        }
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM api_keys WHERE key_id = @keyId", new { keyId }, transaction, cancellationToken: cancellationToken)) > 0;
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Records when keys were last used, in one transaction; a time never moves backwards.</summary>
    public async Task UpdateLastUsedAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsedByKeyId, CancellationToken cancellationToken)
    {
        if (lastUsedByKeyId.Count == 0)
        {
            return;
        }
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET last_used_at = @LastUsedAt WHERE key_id = @KeyId AND (last_used_at IS NULL OR last_used_at < @LastUsedAt)",
            lastUsedByKeyId.Select(pair => new { KeyId = pair.Key, LastUsedAt = StorageText.Timestamp(pair.Value) }).ToList(),
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    internal static Task InsertAsync(DbConnection connection, DbTransaction? transaction, IssuedKeyRecord key, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_keys (key_id, group_id, name, owner_user_id, key_hash, key_prefix, sealed_plaintext, enabled, expires_at, last_used_at, created_at, updated_at, web_search, " +
            IssuedKeyPolicyColumns.Names + ") " +
            "VALUES (@KeyId, @GroupId, @Name, @OwnerUserId, @KeyHash, @KeyPrefix, @SealedPlaintext, @Enabled, @ExpiresAt, @LastUsedAt, @CreatedAt, @UpdatedAt, @WebSearch, " +
            IssuedKeyPolicyColumns.Values + ")",
            Parameters(key), transaction, cancellationToken: cancellationToken));

    private static DynamicParameters Parameters(IssuedKeyRecord key) => IssuedKeyPolicyColumns.With(new
    {
        key.KeyId,
        key.GroupId,
        key.Name,
        key.OwnerUserId,
        key.KeyHash,
        key.KeyPrefix,
        key.SealedPlaintext,
        Enabled = StorageText.Flag(key.Enabled),
        ExpiresAt = StorageText.Timestamp(key.ExpiresAt),
        LastUsedAt = StorageText.Timestamp(key.LastUsedAt),
        CreatedAt = StorageText.Timestamp(key.CreatedAt),
        UpdatedAt = StorageText.Timestamp(key.UpdatedAt),
        WebSearch = key.WebSearch.Name(),
    }, key.Policy);

    private async Task<IReadOnlyList<IssuedKeyRecord>> QueryAsync(string where, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<IssuedKeyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE {where} ORDER BY created_at DESC, key_id", parameters, cancellationToken: cancellationToken));
        return rows.Select(row => row.ToRecord()).ToList();
    }

    private sealed class IssuedKeyRow
    {
        public string KeyId { get; set; } = "";
        public string GroupId { get; set; } = "";
        public string Name { get; set; } = "";
        public string OwnerUserId { get; set; } = "";
        public string KeyHash { get; set; } = "";
        public string KeyPrefix { get; set; } = "";
        public string SealedPlaintext { get; set; } = "";
        public long Enabled { get; set; }
        public string? ExpiresAt { get; set; }
        public string? LastUsedAt { get; set; }
        public string CreatedAt { get; set; } = "";
        public string UpdatedAt { get; set; } = "";
        public string WebSearch { get; set; } = "";
        public string AllowedAliases { get; set; } = "[]";
        public long? Rpm { get; set; }
        public long? Tpm { get; set; }
        public long? MaxConcurrency { get; set; }
        public long? DailyTokenBudget { get; set; }
        public long? MonthlyTokenBudget { get; set; }
        public long Visitor { get; set; }

        public IssuedKeyRecord ToRecord() => new(
            KeyId, GroupId, Name, OwnerUserId, KeyHash, KeyPrefix, SealedPlaintext, Enabled != 0,
            StorageText.ParseOptionalTimestamp(ExpiresAt), StorageText.ParseOptionalTimestamp(LastUsedAt),
            StorageText.ParseTimestamp(CreatedAt), StorageText.ParseTimestamp(UpdatedAt), WebSearchModeNames.Parse(WebSearch))
        {
            Policy = IssuedKeyPolicyColumns.Read(AllowedAliases, Rpm, Tpm, MaxConcurrency, DailyTokenBudget, MonthlyTokenBudget, Visitor),
        };
    }
}
