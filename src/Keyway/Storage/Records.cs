namespace Keyway.Storage;

// Rows as Storage hands them out. Secrets stay sealed (SecretBox) here: Storage never sees a plaintext.

public sealed record GroupRecord(
    string GroupId, string Name, bool Enabled, string Note, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record UpstreamKeyRecord(
    string KeyId, string ProviderId, string Name, string SealedSecret, bool Enabled, int SortOrder, DateTimeOffset CreatedAt);

public sealed record ProviderRecord(
    string ProviderId,
    string GroupId,
    string Name,
    string BaseUrl,
    string Protocol,
    bool Enabled,
    string Note,
    int TimeoutSeconds,
    IReadOnlyDictionary<string, string> ExtraHeaders,
    string RoutingMode,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<UpstreamKeyRecord> Keys);

public sealed record RouteRecord(
    string RouteId,
    string GroupId,
    string Alias,
    string ProviderId,
    string UpstreamModel,
    string UpstreamPath,
    bool Enabled,
    string Note,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record IssuedKeyRecord(
    string KeyId,
    string GroupId,
    string Name,
    string OwnerUserId,
    string KeyHash,
    string KeyPrefix,
    string SealedPlaintext,
    bool Enabled,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ToolProviderRecord(
    string ToolId,
    string GroupId,
    string Name,
    string Kind,
    string SealedApiKey,
    string ConfigJson,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Everything the data plane needs, read in one go to build a RoutingTable.</summary>
public sealed record ConfigurationSnapshot(
    IReadOnlyList<GroupRecord> Groups,
    IReadOnlyList<ProviderRecord> Providers,
    IReadOnlyList<RouteRecord> Routes,
    IReadOnlyList<IssuedKeyRecord> IssuedKeys,
    IReadOnlyList<ToolProviderRecord> ToolProviders);
