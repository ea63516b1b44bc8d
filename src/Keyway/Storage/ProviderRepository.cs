using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Keyway.Storage;

/// <summary>
/// Providers and their pool of upstream keys (provider_keys), always read together. The pool's writes that depend on it
/// as it is (adding a key, changing or moving one, a reorder) are <see cref="KeyPoolRepository"/>'s.
/// </summary>
public sealed class ProviderRepository(IDbConnectionFactory connections)
{
    private const string ProviderColumns =
        "provider_id AS ProviderId, group_id AS GroupId, name AS Name, base_url AS BaseUrl, protocol AS Protocol, enabled AS Enabled, " +
        "note AS Note, timeout_seconds AS TimeoutSeconds, extra_headers AS ExtraHeaders, routing_mode AS RoutingMode, " +
        "created_at AS CreatedAt, updated_at AS UpdatedAt, max_retries AS MaxRetries, key_failure_threshold AS KeyFailureThreshold, " +
        "key_cooldown_seconds AS KeyCooldownSeconds, native_endpoints AS NativeEndpoints, websocket AS Websocket, " +
        "key_wait_seconds AS KeyWaitSeconds, thinking_switch AS ThinkingSwitch, auth_header AS AuthHeader, reasoning_replay AS ReasoningReplay, reasoning_split AS ReasoningSplit";

    private const string KeyColumns =
        "key_id AS KeyId, provider_id AS ProviderId, name AS Name, sealed_secret AS SealedSecret, enabled AS Enabled, " +
        "sort_order AS SortOrder, created_at AS CreatedAt, models AS Models, base_url AS BaseUrl, allow_visitor AS AllowVisitor, " +
        "max_concurrency AS MaxConcurrency, native_endpoints AS NativeEndpoints";

    // Constant SQL around each WHERE condition: Dapper.AOT generates its parameter binding at build time.
    private const string SelectProviders = $"SELECT {ProviderColumns} FROM providers WHERE ";

    private const string ProvidersOrder = " ORDER BY created_at, provider_id";

    private const string SelectKeys = $"SELECT {KeyColumns} FROM provider_keys WHERE provider_id IN (SELECT provider_id FROM providers WHERE ";

    private const string KeysOrder = ") ORDER BY provider_id, sort_order, created_at, key_id";

    public Task<IReadOnlyList<ProviderRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            connection => connection.QueryAsync<ProviderRow>(SelectProviders + "1 = 1" + ProvidersOrder, new { cancellationToken }),
            connection => connection.QueryAsync<KeyRow>(SelectKeys + "1 = 1" + KeysOrder, new { cancellationToken }),
            cancellationToken);

    public Task<IReadOnlyList<ProviderRecord>> ListByGroupAsync(string groupId, CancellationToken cancellationToken) =>
        QueryAsync(
            connection => connection.QueryAsync<ProviderRow>(
                SelectProviders + "group_id = @groupId" + ProvidersOrder, new { groupId, cancellationToken }),
            connection => connection.QueryAsync<KeyRow>(SelectKeys + "group_id = @groupId" + KeysOrder, new { groupId, cancellationToken }),
            cancellationToken);

    public async Task<ProviderRecord?> GetAsync(string providerId, CancellationToken cancellationToken) =>
        (await QueryAsync(
            connection => connection.QueryAsync<ProviderRow>(
                SelectProviders + "provider_id = @providerId" + ProvidersOrder, new { providerId, cancellationToken }),
            connection => connection.QueryAsync<KeyRow>(
                SelectKeys + "provider_id = @providerId" + KeysOrder, new { providerId, cancellationToken }),
            cancellationToken)).SingleOrDefault();

    /// <exception cref="StorageConflictException">The provider_id exists, or two keys share a name.</exception>
    public async Task CreateAsync(ProviderRecord provider, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ConstraintGuard.RunAsync(() => InsertAsync(connection, transaction, provider, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Updates the provider's own columns; when <paramref name="replacementKeys"/> is given the key pool is replaced too, in
    /// the same transaction. A replacement key with the id of a current one updates that row, so its health (key_health,
    /// deleted with the row) stays; the other current keys are deleted, the other replacement keys inserted.
    /// </summary>
    /// <exception cref="StorageConflictException">Two replacement keys share a name.</exception>
    public async Task<bool> UpdateAsync(ProviderRecord provider, IReadOnlyList<UpstreamKeyRecord>? replacementKeys, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE providers SET name = @Name, base_url = @BaseUrl, protocol = @Protocol, enabled = @Enabled, note = @Note, " +
            "timeout_seconds = @TimeoutSeconds, extra_headers = @ExtraHeaders, routing_mode = @RoutingMode, updated_at = @UpdatedAt, " +
            "max_retries = @MaxRetries, key_failure_threshold = @KeyFailureThreshold, key_cooldown_seconds = @KeyCooldownSeconds, " +
            "native_endpoints = @NativeEndpoints, websocket = @Websocket, key_wait_seconds = @KeyWaitSeconds, " +
            "thinking_switch = @ThinkingSwitch, auth_header = @AuthHeader, reasoning_replay = @ReasoningReplay, reasoning_split = @ReasoningSplit WHERE provider_id = @ProviderId",
            Parameters(provider, cancellationToken), transaction);
        if (changed == 0)
        {
            return false;
        }
        if (replacementKeys is not null)
        {
            await ConstraintGuard.RunAsync(() => ReplaceKeysAsync(connection, transaction, provider.ProviderId, replacementKeys, cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Deletes the provider; its routes go with it (ON DELETE CASCADE), unless one of them is the route the group's
    /// unified model points at (see <see cref="RouteRepository.DeleteAsync"/>).
    /// </summary>
    /// <returns>The ids of the routes deleted with it, or null when the provider did not exist.</returns>
    /// <exception cref="StorageConflictException">The group's unified model points at a route of the provider.</exception>
    public async Task<IReadOnlyList<string>?> DeleteAsync(ProviderRecord provider, CancellationToken cancellationToken)
    {
        var providerId = provider.ProviderId;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await GroupAliasLock.BeginAsync(connections, connection, provider.GroupId, cancellationToken);
        await UnifiedModelRepository.RefuseProviderTargetAsync(connection, transaction, providerId, cancellationToken);
        var routeIds = (await connection.QueryAsync<string>(
            "SELECT route_id FROM routes WHERE provider_id = @providerId ORDER BY alias",
            new { providerId, cancellationToken }, transaction)).ToList();
        var deleted = await connection.ExecuteAsync(
            "DELETE FROM providers WHERE provider_id = @providerId", new { providerId, cancellationToken }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return deleted == 0 ? null : routeIds;
    }

    private static async Task ReplaceKeysAsync(
        DbConnection connection, DbTransaction transaction, string providerId, IReadOnlyList<UpstreamKeyRecord> keys, CancellationToken cancellationToken)
    {
        var currentIds = await KeyIdsAsync(connection, transaction, providerId, cancellationToken);
        var kept = keys.Where(key => currentIds.Contains(key.KeyId)).ToList();
        foreach (var keyId in currentIds.Except(kept.Select(key => key.KeyId)))
        {
            await connection.ExecuteAsync(
                "DELETE FROM provider_keys WHERE key_id = @keyId AND provider_id = @providerId", new { providerId, keyId, cancellationToken }, transaction);
        }
        // Kept keys may trade names (a, b → b, a): each first takes its own id as its name, which no other key holds.
        foreach (var key in kept)
        {
            await connection.ExecuteAsync(
                "UPDATE provider_keys SET name = key_id WHERE key_id = @KeyId AND provider_id = @ProviderId",
                new { key.KeyId, key.ProviderId, cancellationToken }, transaction);
        }
        foreach (var key in kept)
        {
            await UpdateKeyRowAsync(connection, transaction, key, cancellationToken);
        }
        await InsertKeysAsync(connection, transaction, [.. keys.Except(kept)], cancellationToken);
    }

    /// <summary>The ids of the pool's keys, read in <paramref name="transaction"/>.</summary>
    internal static async Task<List<string>> KeyIdsAsync(
        DbConnection connection, DbTransaction transaction, string providerId, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<string>(
            "SELECT key_id FROM provider_keys WHERE provider_id = @providerId", new { providerId, cancellationToken }, transaction)).ToList();

    /// <summary>The pool's keys in their order, read in <paramref name="transaction"/>.</summary>
    internal static async Task<IReadOnlyList<UpstreamKeyRecord>> PoolAsync(
        DbConnection connection, DbTransaction transaction, string providerId, CancellationToken cancellationToken) =>
        [.. (await connection.QueryAsync<KeyRow>(
            $"SELECT {KeyColumns} FROM provider_keys WHERE provider_id = @providerId ORDER BY sort_order, created_at, key_id",
            new { providerId, cancellationToken }, transaction)).Select(row => row.ToRecord())];

    internal static Task<int> UpdateKeyRowAsync(DbConnection connection, DbTransaction? transaction, UpstreamKeyRecord key, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "UPDATE provider_keys SET name = @Name, sealed_secret = @SealedSecret, enabled = @Enabled, sort_order = @SortOrder, " +
            "models = @Models, base_url = @BaseUrl, allow_visitor = @AllowVisitor, max_concurrency = @MaxConcurrency, native_endpoints = @NativeEndpoints " +
            "WHERE key_id = @KeyId AND provider_id = @ProviderId",
            KeyParameters(key, cancellationToken), transaction);

    public async Task<bool> DeleteKeyAsync(string providerId, string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "DELETE FROM provider_keys WHERE key_id = @keyId AND provider_id = @providerId",
            new { providerId, keyId, cancellationToken }) > 0;
    }

    internal static async Task InsertAsync(DbConnection connection, DbTransaction? transaction, ProviderRecord provider, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(
            "INSERT INTO providers (provider_id, group_id, name, base_url, protocol, enabled, note, timeout_seconds, extra_headers, routing_mode, " +
            "created_at, updated_at, max_retries, key_failure_threshold, key_cooldown_seconds, native_endpoints, websocket, key_wait_seconds, " +
            "thinking_switch, auth_header, reasoning_replay, reasoning_split) " +
            "VALUES (@ProviderId, @GroupId, @Name, @BaseUrl, @Protocol, @Enabled, @Note, @TimeoutSeconds, @ExtraHeaders, @RoutingMode, " +
            "@CreatedAt, @UpdatedAt, @MaxRetries, @KeyFailureThreshold, @KeyCooldownSeconds, @NativeEndpoints, @Websocket, @KeyWaitSeconds, " +
            "@ThinkingSwitch, @AuthHeader, @ReasoningReplay, @ReasoningSplit)",
            Parameters(provider, cancellationToken), transaction);
        await InsertKeysAsync(connection, transaction, provider.Keys, cancellationToken);
    }

    internal static async Task InsertKeysAsync(
        DbConnection connection, DbTransaction? transaction, IReadOnlyList<UpstreamKeyRecord> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            await connection.ExecuteAsync(
                "INSERT INTO provider_keys (key_id, provider_id, name, sealed_secret, enabled, sort_order, created_at, models, base_url, " +
                "allow_visitor, max_concurrency, native_endpoints) " +
                "VALUES (@KeyId, @ProviderId, @Name, @SealedSecret, @Enabled, @SortOrder, @CreatedAt, @Models, @BaseUrl, @AllowVisitor, @MaxConcurrency, " +
                "@NativeEndpoints)",
                KeyParameters(key, cancellationToken), transaction);
        }
    }

    private static ProviderArgs Parameters(ProviderRecord provider, CancellationToken cancellationToken) => new(
        provider.ProviderId, provider.GroupId, provider.Name, provider.BaseUrl, provider.Protocol, StorageText.Flag(provider.Enabled),
        provider.Note, provider.TimeoutSeconds, JsonMap(provider.SealedExtraHeaders), provider.RoutingMode,
        StorageText.Timestamp(provider.CreatedAt), StorageText.Timestamp(provider.UpdatedAt), provider.MaxRetries,
        provider.KeyFailureThreshold, provider.KeyCooldownSeconds, JsonMap(provider.NativeEndpoints ?? new Dictionary<string, string>()),
        StorageText.Flag(provider.Websocket), provider.KeyWaitSeconds, provider.ThinkingSwitch, provider.AuthHeader,
        provider.ReasoningReplay is { } replay ? StorageText.Flag(replay) : null,
        provider.ReasoningSplit is { } split ? StorageText.Flag(split) : null, cancellationToken);

    private static string JsonMap(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(map), StorageJsonContext.Default.DictionaryStringString);

    private static Dictionary<string, string> ParseMap(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.DictionaryStringString) ?? [];

    private static KeyArgs KeyParameters(UpstreamKeyRecord key, CancellationToken cancellationToken) => new(
        key.KeyId, key.ProviderId, key.Name, key.SealedSecret, StorageText.Flag(key.Enabled), key.SortOrder,
        StorageText.Timestamp(key.CreatedAt), JsonSerializer.Serialize((key.Models ?? []).ToList(), StorageJsonContext.Default.ListString),
        key.BaseUrl, StorageText.Flag(key.AllowVisitor), key.MaxConcurrency, JsonMap(key.NativeEndpoints ?? new Dictionary<string, string>()),
        cancellationToken);

    /// <summary>The providers <paramref name="queryProviders"/> reads, each with the keys <paramref name="queryKeys"/> reads.</summary>
    private async Task<IReadOnlyList<ProviderRecord>> QueryAsync(
        Func<DbConnection, Task<IEnumerable<ProviderRow>>> queryProviders, Func<DbConnection, Task<IEnumerable<KeyRow>>> queryKeys,
        CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var providers = await queryProviders(connection);
        var keys = await queryKeys(connection);
        var keysByProvider = keys.ToLookup(key => key.ProviderId, key => key.ToRecord());
        return providers.Select(row => row.ToRecord(keysByProvider[row.ProviderId].ToList())).ToList();
    }

    internal sealed class ProviderRow
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
        public long? KeyWaitSeconds { get; set; }
        public string ThinkingSwitch { get; set; } = ProviderRecord.NoThinkingSwitch;
        public string? AuthHeader { get; set; }
        public long? ReasoningReplay { get; set; }
        public long? ReasoningSplit { get; set; }

        public ProviderRecord ToRecord(IReadOnlyList<UpstreamKeyRecord> keys) => new(
            ProviderId, GroupId, Name, BaseUrl, Protocol, Enabled != 0, Note, (int)TimeoutSeconds, ParseMap(ExtraHeaders),
            RoutingMode, StorageText.ParseTimestamp(CreatedAt), StorageText.ParseTimestamp(UpdatedAt), keys,
            (int?)MaxRetries, (int?)KeyFailureThreshold, (int?)KeyCooldownSeconds, ParseMap(NativeEndpoints), Websocket != 0)
        {
            KeyWaitSeconds = (int?)KeyWaitSeconds,
            ThinkingSwitch = ThinkingSwitch,
            AuthHeader = AuthHeader,
            ReasoningReplay = ReasoningReplay is { } replay ? replay != 0 : null,
            ReasoningSplit = ReasoningSplit is { } split ? split != 0 : null,
        };
    }

    internal sealed class KeyRow
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
        public long? MaxConcurrency { get; set; }
        public string NativeEndpoints { get; set; } = "{}";

        public UpstreamKeyRecord ToRecord() =>
            new(KeyId, ProviderId, Name, SealedSecret, Enabled != 0, (int)SortOrder, StorageText.ParseTimestamp(CreatedAt),
                JsonSerializer.Deserialize(Models, StorageJsonContext.Default.ListString) ?? [], BaseUrl)
            {
                AllowVisitor = AllowVisitor != 0,
                MaxConcurrency = (int?)MaxConcurrency,
                NativeEndpoints = ParseMap(NativeEndpoints),
            };
    }

    /// <summary>The provider's columns as stored; a named type, so Dapper.AOT sees the parameters at build time.</summary>
    internal sealed record ProviderArgs(
        string ProviderId, string GroupId, string Name, string BaseUrl, string Protocol, long Enabled, string Note, int TimeoutSeconds,
        string ExtraHeaders, string RoutingMode, string CreatedAt, string UpdatedAt, int? MaxRetries, int? KeyFailureThreshold,
        int? KeyCooldownSeconds, string NativeEndpoints, long Websocket, int? KeyWaitSeconds, string ThinkingSwitch,
        string? AuthHeader, long? ReasoningReplay, long? ReasoningSplit, CancellationToken CancellationToken);

    /// <summary>An upstream key's columns as stored.</summary>
    internal sealed record KeyArgs(
        string KeyId, string ProviderId, string Name, string SealedSecret, long Enabled, int SortOrder, string CreatedAt, string Models,
        string? BaseUrl, long AllowVisitor, int? MaxConcurrency, string NativeEndpoints, CancellationToken CancellationToken);
}
