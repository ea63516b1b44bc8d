namespace Keyway.Storage;

// Rows as Storage hands them out. Secrets stay sealed (SecretBox) here: Storage never sees a plaintext.

public sealed record GroupRecord(
    string GroupId, string Name, bool Enabled, string Note, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An upstream key; <paramref name="Models"/> limits it to those upstream models (null or empty: any), <paramref name="BaseUrl"/> overrides the provider's.</summary>
public sealed record UpstreamKeyRecord(
    string KeyId, string ProviderId, string Name, string SealedSecret, bool Enabled, int SortOrder, DateTimeOffset CreatedAt,
    IReadOnlyList<string>? Models = null, string? BaseUrl = null)
{
    /// <summary>Visitor keys may be served by this upstream key.</summary>
    public bool AllowVisitor { get; init; }

    /// <summary>Requests one instance may have in flight on this key at once; null: no limit.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>
    /// The key's own base URLs for protocols other than its provider's main one, as the provider's native_endpoints
    /// (null or empty: none); they win over the provider's for this key.
    /// </summary>
    public IReadOnlyDictionary<string, string>? NativeEndpoints { get; init; }
}

/// <summary>
/// A provider: <paramref name="BaseUrl"/> speaks <paramref name="Protocol"/>; <paramref name="NativeEndpoints"/> maps other
/// protocol names to the base URL where the same vendor serves them (null or empty: none). <paramref name="Websocket"/>: the
/// provider serves the Responses WebSocket mode at its base URL.
/// </summary>
public sealed record ProviderRecord(
    string ProviderId,
    string GroupId,
    string Name,
    string BaseUrl,
    string Protocol,
    bool Enabled,
    string Note,
    int TimeoutSeconds,
    IReadOnlyDictionary<string, string> SealedExtraHeaders,
    string RoutingMode,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<UpstreamKeyRecord> Keys,
    int? MaxRetries = null,
    int? KeyFailureThreshold = null,
    int? KeyCooldownSeconds = null,
    IReadOnlyDictionary<string, string>? NativeEndpoints = null,
    bool Websocket = false)
{
    /// <summary>How long a request may wait for a key of the pool when none can take it; null: the global default.</summary>
    public int? KeyWaitSeconds { get; init; }

    /// <summary>The thinking_switch that writes no switch: a Chat request goes as it went before the setting.</summary>
    public const string NoThinkingSwitch = "none";

    /// <summary>How the vendor switches thinking on a Chat request: "none", "thinking_type" or "enable_thinking".</summary>
    public string ThinkingSwitch { get; init; } = NoThinkingSwitch;

    /// <summary>The header that carries the upstream key ("bearer", "x-api-key", "api-key"); null: the protocol's own.</summary>
    public string? AuthHeader { get; init; }

    /// <summary>Whether translated Chat requests replay assistant turns' reasoning; null: the rule for the host (<c>UpstreamEndpoint.TakesReasoningContent</c>).</summary>
    public bool? ReasoningReplay { get; init; }

    /// <summary>Whether translated Chat requests ask MiniMax's reasoning split; null: the rule for the host (<c>UpstreamEndpoint.SplitsReasoning</c>).</summary>
    public bool? ReasoningSplit { get; init; }
}

/// <summary>
/// A route. <paramref name="DefaultReasoningEffort"/>, <paramref name="MaxTokensCap"/> and <paramref name="DefaultTemperature"/>
/// are its defaults for what a client leaves out (null: none).
/// </summary>
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
    DateTimeOffset UpdatedAt,
    WebSearchMode WebSearch = WebSearchMode.Auto,
    string? DefaultReasoningEffort = null,
    int? MaxTokensCap = null,
    double? DefaultTemperature = null)
{
    /// <summary>Globs of the request paths the route serves (<c>*</c> within a segment, <c>**</c> across); empty: all.</summary>
    public IReadOnlyList<string> AllowedPaths { get; init; } = [];

    /// <summary>Visitor keys may call this route.</summary>
    public bool AllowVisitors { get; init; }
}

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
    DateTimeOffset UpdatedAt,
    WebSearchMode WebSearch = WebSearchMode.Auto)
{
    public IssuedKeyPolicy Policy { get; init; } = IssuedKeyPolicy.None;
}

public sealed record ToolProviderRecord(
    string ToolId,
    string GroupId,
    string Name,
    string Kind,
    string SealedApiKey,
    string ConfigJson,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long SearchCount = 0,
    long SearchFailures = 0,
    DateTimeOffset? LastSearchAt = null);

/// <summary>Everything the data plane needs, read in one go to build a RoutingTable.</summary>
public sealed record ConfigurationSnapshot(
    IReadOnlyList<GroupRecord> Groups,
    IReadOnlyList<ProviderRecord> Providers,
    IReadOnlyList<RouteRecord> Routes,
    IReadOnlyList<IssuedKeyRecord> IssuedKeys,
    IReadOnlyList<ToolProviderRecord> ToolProviders,
    IReadOnlyList<RouteProviderRecord> RouteProviders,
    IReadOnlyList<UnifiedModelRecord> UnifiedModels);

/// <summary>A fallback target of a route: another provider (and its model name), tried by priority, lower first.</summary>
public sealed record RouteProviderRecord(
    string RpId, string RouteId, string ProviderId, string UpstreamModel, int Priority, bool Enabled, DateTimeOffset CreatedAt);

/// <summary>A group's unified alias pointing at one of its routes, optionally pinned to one upstream key by name.</summary>
public sealed record UnifiedModelRecord(string GroupId, string Alias, string RouteId, string? KeyName, DateTimeOffset UpdatedAt);

/// <summary>One stored turn as written: <see cref="SealedTurn"/> is already sealed.</summary>
public sealed record StoredResponseRecord(
    string ResponseId, string? PreviousResponseId, string KeyId, string GroupId, string SealedTurn, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
