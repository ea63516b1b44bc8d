using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Keyway.Storage;

/// <summary>Providers and their pool of upstream keys (provider_keys), always read together.</summary>
public sealed class ProviderRepository(IDbConnectionFactory connections)
{
    private const string ProviderColumns =
        "provider_id AS ProviderId, group_id AS GroupId, name AS Name, base_url AS BaseUrl, protocol AS Protocol, enabled AS Enabled, " +
        "note AS Note, timeout_seconds AS TimeoutSeconds, extra_headers AS ExtraHeaders, routing_mode AS RoutingMode, " +
        "created_at AS CreatedAt, updated_at AS UpdatedAt, max_retries AS MaxRetries, key_failure_threshold AS KeyFailureThreshold, " +
        "key_cooldown_seconds AS KeyCooldownSeconds, native_endpoints AS NativeEndpoints, websocket AS Websocket";

    private const string KeyColumns =
        "key_id AS KeyId, provider_id AS ProviderId, name AS Name, sealed_secret AS SealedSecret, enabled AS Enabled, " +
        "sort_order AS SortOrder, created_at AS CreatedAt, models AS Models, base_url AS BaseUrl, allow_visitor AS AllowVisitor";

    public Task<IReadOnlyList<ProviderRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync("1 = 1", null, cancellationToken);

    public Task<IReadOnlyList<ProviderRecord>> ListByGroupAsync(string groupId, CancellationToken cancellationToken) =>
        QueryAsync("group_id = @groupId", new { groupId }, cancellationToken);

    public async Task<ProviderRecord?> GetAsync(string providerId, CancellationToken cancellationToken) =>
        (await QueryAsync("provider_id = @providerId", new { providerId }, cancellationToken)).SingleOrDefault();

    /// <exception cref="StorageConflictException">The provider_id exists, or two keys share a name.</exception>
    public async Task CreateAsync(ProviderRecord provider, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertAsync(connection, transaction, provider, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Updates the provider's own columns; when <paramref name="replacementKeys"/> is given the key pool is replaced too, in the same transaction.</summary>
    /// <exception cref="StorageConflictException">Two replacement keys share a name.</exception>
    public async Task<bool> UpdateAsync(ProviderRecord provider, IReadOnlyList<UpstreamKeyRecord>? replacementKeys, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE providers SET name = @Name, base_url = @BaseUrl, protocol = @Protocol, enabled = @Enabled, note = @Note, " +
            "timeout_seconds = @TimeoutSeconds, extra_headers = @ExtraHeaders, routing_mode = @RoutingMode, updated_at = @UpdatedAt, " +
            "max_retries = @MaxRetries, key_failure_threshold = @KeyFailureThreshold, key_cooldown_seconds = @KeyCooldownSeconds, " +
            "native_endpoints = @NativeEndpoints, websocket = @Websocket WHERE provider_id = @ProviderId",
            Parameters(provider), transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return false;
        }
        if (replacementKeys is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM provider_keys WHERE provider_id = @ProviderId", new { provider.ProviderId }, transaction, cancellationToken: cancellationToken));
            await ConstraintGuard.RunAsync(() => InsertKeysAsync(connection, transaction, replacementKeys, cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Deletes the provider; its routes go with it (ON DELETE CASCADE).</summary>
    /// <returns>The ids of the routes deleted with it, or null when the provider did not exist.</returns>
    public async Task<IReadOnlyList<string>?> DeleteAsync(string providerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var routeIds = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT route_id FROM routes WHERE provider_id = @providerId ORDER BY alias", new { providerId }, transaction,
            cancellationToken: cancellationToken))).AsList();
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM providers WHERE provider_id = @providerId", new { providerId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted == 0 ? null : routeIds;
    }

    /// <exception cref="StorageConflictException">The provider already has a key with this name.</exception>
    public async Task AddKeyAsync(UpstreamKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertKeysAsync(connection, null, [key], cancellationToken));
    }

    /// <exception cref="StorageConflictException">The new name is taken by another key of the provider.</exception>
    public async Task<bool> UpdateKeyAsync(UpstreamKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await ConstraintGuard.RunAsync(async () => await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE provider_keys SET name = @Name, sealed_secret = @SealedSecret, enabled = @Enabled, sort_order = @SortOrder, " +
            "models = @Models, base_url = @BaseUrl, allow_visitor = @AllowVisitor " +
            "WHERE key_id = @KeyId AND provider_id = @ProviderId",
            KeyParameters(key), cancellationToken: cancellationToken)) > 0);
    }

    public async Task<bool> DeleteKeyAsync(string providerId, string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM provider_keys WHERE key_id = @keyId AND provider_id = @providerId", new { providerId, keyId },
            cancellationToken: cancellationToken)) > 0;
    }

    internal static async Task InsertAsync(DbConnection connection, DbTransaction? transaction, ProviderRecord provider, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO providers (provider_id, group_id, name, base_url, protocol, enabled, note, timeout_seconds, extra_headers, routing_mode, " +
            "created_at, updated_at, max_retries, key_failure_threshold, key_cooldown_seconds, native_endpoints, websocket) " +
            "VALUES (@ProviderId, @GroupId, @Name, @BaseUrl, @Protocol, @Enabled, @Note, @TimeoutSeconds, @ExtraHeaders, @RoutingMode, " +
            "@CreatedAt, @UpdatedAt, @MaxRetries, @KeyFailureThreshold, @KeyCooldownSeconds, @NativeEndpoints, @Websocket)",
            Parameters(provider), transaction, cancellationToken: cancellationToken));
        await InsertKeysAsync(connection, transaction, provider.Keys, cancellationToken);
    }

    private static async Task InsertKeysAsync(
        DbConnection connection, DbTransaction? transaction, IReadOnlyList<UpstreamKeyRecord> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO provider_keys (key_id, provider_id, name, sealed_secret, enabled, sort_order, created_at, models, base_url, allow_visitor) " +
                "VALUES (@KeyId, @ProviderId, @Name, @SealedSecret, @Enabled, @SortOrder, @CreatedAt, @Models, @BaseUrl, @AllowVisitor)",
                KeyParameters(key), transaction, cancellationToken: cancellationToken));
        }
    }

    private static object Parameters(ProviderRecord provider) => new
    {
        provider.ProviderId,
        provider.GroupId,
        provider.Name,
        provider.BaseUrl,
        provider.Protocol,
        Enabled = StorageText.Flag(provider.Enabled),
        provider.Note,
        provider.TimeoutSeconds,
        ExtraHeaders = JsonMap(provider.ExtraHeaders),
        provider.RoutingMode,
        CreatedAt = StorageText.Timestamp(provider.CreatedAt),
        UpdatedAt = StorageText.Timestamp(provider.UpdatedAt),
        provider.MaxRetries,
        provider.KeyFailureThreshold,
        provider.KeyCooldownSeconds,
        NativeEndpoints = JsonMap(provider.NativeEndpoints ?? new Dictionary<string, string>()),
        Websocket = StorageText.Flag(provider.Websocket),
    };

    private static string JsonMap(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(map), StorageJsonContext.Default.DictionaryStringString);

    private static Dictionary<string, string> ParseMap(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.DictionaryStringString) ?? [];

    private static object KeyParameters(UpstreamKeyRecord key) => new
    {
        key.KeyId,
        key.ProviderId,
        key.Name,
        key.SealedSecret,
        Enabled = StorageText.Flag(key.Enabled),
        key.SortOrder,
        CreatedAt = StorageText.Timestamp(key.CreatedAt),
        Models = JsonSerializer.Serialize((key.Models ?? []).ToList(), StorageJsonContext.Default.ListString),
        key.BaseUrl,
        AllowVisitor = StorageText.Flag(key.AllowVisitor),
    };

    private async Task<IReadOnlyList<ProviderRecord>> QueryAsync(string where, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var providers = await connection.QueryAsync<ProviderRow>(new CommandDefinition(
            $"SELECT {ProviderColumns} FROM providers WHERE {where} ORDER BY created_at, provider_id", parameters,
            cancellationToken: cancellationToken));
        var keys = await connection.QueryAsync<KeyRow>(new CommandDefinition(
            $"SELECT {KeyColumns} FROM provider_keys WHERE provider_id IN (SELECT provider_id FROM providers WHERE {where}) " +
            "ORDER BY provider_id, sort_order, created_at, key_id", parameters, cancellationToken: cancellationToken));
        var keysByProvider = keys.ToLookup(key => key.ProviderId, key => key.ToRecord());
        return providers.Select(row => row.ToRecord(keysByProvider[row.ProviderId].ToList())).ToList();
    }

    private sealed class ProviderRow
    {
        public string ProviderId { get; set; } = "";
        public string GroupId { get; set; } = "";
        public string Name { get; set; } = "";
        public string BaseUrl { get; set; } = "";
        public string Protocol { get; set; } = "";
        public long Enabled { get; set; }
        public string Note { get; set; } = "";
        public long TimeoutSeconds { get; set; }
        public string ExtraHeaders { get; set; } = "{}";
        public string RoutingMode { get; set; } = "";
        public string CreatedAt { get; set; } = "";
        public string UpdatedAt { get; set; } = "";
        public long? MaxRetries { get; set; }
        public long? KeyFailureThreshold { get; set; }
        public long? KeyCooldownSeconds { get; set; }
        public string NativeEndpoints { get; set; } = "{}";
        public long Websocket { get; set; }

        public ProviderRecord ToRecord(IReadOnlyList<UpstreamKeyRecord> keys) => new(
            ProviderId, GroupId, Name, BaseUrl, Protocol, Enabled != 0, Note, (int)TimeoutSeconds, ParseMap(ExtraHeaders),
            RoutingMode, StorageText.ParseTimestamp(CreatedAt), StorageText.ParseTimestamp(UpdatedAt), keys,
            (int?)MaxRetries, (int?)KeyFailureThreshold, (int?)KeyCooldownSeconds, ParseMap(NativeEndpoints), Websocket != 0);
    }

    private sealed class KeyRow
    {
        public string KeyId { get; set; } = "";
        public string ProviderId { get; set; } = "";
        public string Name { get; set; } = "";
        public string SealedSecret { get; set; } = "";
        public long Enabled { get; set; }
        public long SortOrder { get; set; }
        public string CreatedAt { get; set; } = "";
        public string Models { get; set; } = "[]";
        public string? BaseUrl { get; set; }
        public long AllowVisitor { get; set; }

        public UpstreamKeyRecord ToRecord() =>
            new(KeyId, ProviderId, Name, SealedSecret, Enabled != 0, (int)SortOrder, StorageText.ParseTimestamp(CreatedAt),
                JsonSerializer.Deserialize(Models, StorageJsonContext.Default.ListString) ?? [], BaseUrl)
            {
                AllowVisitor = AllowVisitor != 0,
            };
    }
}
