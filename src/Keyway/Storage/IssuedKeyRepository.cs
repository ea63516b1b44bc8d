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

    // Constant SQL: Dapper.AOT generates its parameter binding at build time.
    private const string Select = $"SELECT {Columns} FROM api_keys WHERE ";

    private const string OrderBy = " ORDER BY created_at DESC, key_id";

    public Task<IReadOnlyList<IssuedKeyRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            connection => connection.QueryAsync<IssuedKeyRow>(
                Select + "1 = 1" + OrderBy, new { cancellationToken }),
            cancellationToken);

    /// <summary>Newest first, as the Python Keyway listed them.</summary>
    public Task<IReadOnlyList<IssuedKeyRecord>> ListByGroupAsync(string groupId, CancellationToken cancellationToken) =>
        QueryAsync(
            connection => connection.QueryAsync<IssuedKeyRow>(
                Select + "group_id = @groupId" + OrderBy, new { groupId, cancellationToken }),
            cancellationToken);

    public async Task<IssuedKeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken) =>
        (await QueryAsync(
            connection => connection.QueryAsync<IssuedKeyRow>(
                Select + "key_id = @keyId" + OrderBy, new { keyId, cancellationToken }),
            cancellationToken)).SingleOrDefault();

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
        return await connection.ExecuteAsync(
            "UPDATE api_keys SET name = @Name, owner_user_id = @OwnerUserId, enabled = @Enabled, expires_at = @ExpiresAt, " +
            "updated_at = @UpdatedAt, web_search = @WebSearch, " + IssuedKeyPolicyColumns.Set + " WHERE key_id = @KeyId",
            Parameters(key, cancellationToken)) > 0;
    }

    /// <summary>Deletes the key with its usage rows and rate windows, in one transaction.</summary>
    public async Task<bool> DeleteAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One constant statement per table: Dapper.AOT cannot bind SQL built at run time.
        await connection.ExecuteAsync("DELETE FROM key_usage WHERE key_id = @keyId", new { keyId, cancellationToken }, transaction);
        await connection.ExecuteAsync("DELETE FROM key_rate_windows WHERE key_id = @keyId", new { keyId, cancellationToken }, transaction);
        var deleted = await connection.ExecuteAsync(
            "DELETE FROM api_keys WHERE key_id = @keyId", new { keyId, cancellationToken }, transaction) > 0;
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
        foreach (var (keyId, lastUsedAt) in lastUsedByKeyId)
        {
            await connection.ExecuteAsync(
                "UPDATE api_keys SET last_used_at = @LastUsedAt WHERE key_id = @KeyId AND (last_used_at IS NULL OR last_used_at < @LastUsedAt)",
                new { KeyId = keyId, LastUsedAt = StorageText.Timestamp(lastUsedAt), cancellationToken }, transaction);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    internal static Task InsertAsync(DbConnection connection, DbTransaction? transaction, IssuedKeyRecord key, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "INSERT INTO api_keys (key_id, group_id, name, owner_user_id, key_hash, key_prefix, sealed_plaintext, enabled, expires_at, last_used_at, created_at, updated_at, web_search, " +
            IssuedKeyPolicyColumns.Names + ") " +
            "VALUES (@KeyId, @GroupId, @Name, @OwnerUserId, @KeyHash, @KeyPrefix, @SealedPlaintext, @Enabled, @ExpiresAt, @LastUsedAt, @CreatedAt, @UpdatedAt, @WebSearch, " +
            IssuedKeyPolicyColumns.Values + ")",
            Parameters(key, cancellationToken), transaction);

    private static KeyArgs Parameters(IssuedKeyRecord key, CancellationToken cancellationToken) => new(
        key.KeyId, key.GroupId, key.Name, key.OwnerUserId, key.KeyHash, key.KeyPrefix, key.SealedPlaintext, StorageText.Flag(key.Enabled),
        StorageText.Timestamp(key.ExpiresAt), StorageText.Timestamp(key.LastUsedAt), StorageText.Timestamp(key.CreatedAt),
        StorageText.Timestamp(key.UpdatedAt), key.WebSearch.Name(), IssuedKeyPolicyColumns.AllowedAliases(key.Policy), key.Policy.Rpm,
        key.Policy.Tpm, key.Policy.MaxConcurrency, key.Policy.DailyTokenBudget, key.Policy.MonthlyTokenBudget,
        StorageText.Flag(key.Policy.Visitor), cancellationToken);

    private async Task<IReadOnlyList<IssuedKeyRecord>> QueryAsync(
        Func<DbConnection, Task<IEnumerable<IssuedKeyRow>>> query, CancellationToken cancellationToken) =>
        await connections.ReadAllAsync(query, row => row.ToRecord(), cancellationToken);

    internal sealed class IssuedKeyRow
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

    /// <summary>The key's columns and its policy's as stored; a named type, so Dapper.AOT sees the parameters at build time.</summary>
    internal sealed record KeyArgs(
        string KeyId, string GroupId, string Name, string OwnerUserId, string KeyHash, string KeyPrefix, string SealedPlaintext, long Enabled,
        string? ExpiresAt, string? LastUsedAt, string CreatedAt, string UpdatedAt, string WebSearch, string AllowedAliases, int? Rpm,
        long? Tpm, int? MaxConcurrency, long? DailyTokenBudget, long? MonthlyTokenBudget, long Visitor, CancellationToken CancellationToken);
}
