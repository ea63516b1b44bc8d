namespace Keyway.Storage;

/// <summary>A new group and everything copied into it, written in one transaction.</summary>
public sealed record GroupCopy(
    GroupRecord Group,
    IReadOnlyList<ProviderRecord> Providers,
    IReadOnlyList<RouteRecord> Routes,
    IReadOnlyList<IssuedKeyRecord> IssuedKeys,
    IReadOnlyList<ToolProviderRecord> ToolProviders,
    IReadOnlyList<RouteProviderRecord> RouteProviders,
    UnifiedModelRecord? Unified);
