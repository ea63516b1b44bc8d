using System.Collections.Frozen;
using Keyway.Storage;
using Keyway.Tools;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>An issued key that may call the data plane (enabled, in an enabled group).</summary>
public sealed record IssuedKeyEntry(string KeyId, string GroupId, DateTimeOffset? ExpiresAt)
{
    public WebSearchMode WebSearch { get; init; }

    public IssuedKeyPolicy Policy { get; init; } = IssuedKeyPolicy.None;
}

/// <summary>
/// A usable alias: the route and its group are enabled, and at least one target's provider is.
/// <paramref name="Targets"/> are tried in order (see <see cref="RoutingTableBuilder"/>); <paramref name="Provider"/> and
/// <paramref name="UpstreamModel"/> are the first target, which probes and /v1/models name.
/// <see cref="PinnedKeyName"/> is set on a unified alias that fixes one upstream key.
/// </summary>
public sealed record RouteEntry(
    string RouteId, string Alias, string UpstreamModel, string UpstreamPath, DateTimeOffset CreatedAt, UpstreamProvider Provider,
    IReadOnlyList<RouteTarget> Targets)
{
    public string? PinnedKeyName { get; init; }

    public WebSearchMode WebSearch { get; init; }

    /// <summary>What the route sets when the client leaves it out; null when the route has no defaults.</summary>
    public Protocols.RequestDefaults? Defaults { get; init; }

    /// <summary>Globs of the request paths this alias serves (see <see cref="PathGlob"/>); empty: every path.</summary>
    public IReadOnlyList<string> AllowedPaths { get; init; } = [];

    /// <summary>Visitor keys may call the alias: the route allows visitors and some target has an upstream key that does.</summary>
    public bool ServesVisitors { get; init; }

    /// <summary>The route allows visitors (<c>allow_visitors</c>), whether or not an upstream key serves them.</summary>
    public bool AllowsVisitors { get; init; }

    /// <summary>Some target's provider has a native endpoint (another protocol at another base URL).</summary>
    public bool HasNativeEndpoints { get; } = Targets.Any(target => target.Provider.NativeEndpoints.Count > 0);

    /// <summary>The longest a request may wait for a key of the route's pools: the most any target's provider allows.</summary>
    public TimeSpan KeyWait { get; } = Targets.Select(target => target.Provider.Policy.KeyWait).DefaultIfEmpty().Max();

    /// <summary>Whether the alias serves <paramref name="path"/>, given with its /v1 prefix.</summary>
    public bool Allows(string path) => AllowedPaths.Count == 0 || AllowedPaths.Any(pattern => PathGlob.Matches(pattern, path));
}

/// <summary>
/// The immutable in-memory view of the configuration the data plane reads on every request,
/// so a request never touches the database. Rebuilt and swapped whole after each admin write.
/// Disabled things are simply absent.
/// </summary>
public sealed class RoutingTable(
    FrozenDictionary<string, IssuedKeyEntry> keysByHash,
    FrozenDictionary<string, FrozenDictionary<string, RouteEntry>> routesByGroup,
    FrozenDictionary<string, UpstreamProvider> providersById,
    FrozenDictionary<string, string> groupNames,
    FrozenDictionary<string, RouteEntry> unifiedByGroup,
    FrozenDictionary<string, WebSearchProvider> webSearchByGroup)
{
    public static RoutingTable Empty { get; } = new(
        FrozenDictionary<string, IssuedKeyEntry>.Empty,
        FrozenDictionary<string, FrozenDictionary<string, RouteEntry>>.Empty,
        FrozenDictionary<string, UpstreamProvider>.Empty,
        FrozenDictionary<string, string>.Empty,
        FrozenDictionary<string, RouteEntry>.Empty,
        FrozenDictionary<string, WebSearchProvider>.Empty);

    /// <summary>Enabled groups: id → display name, ordered by id.</summary>
    public IEnumerable<KeyValuePair<string, string>> Groups => groupNames.OrderBy(g => g.Key, StringComparer.Ordinal);

    public bool TryGetKey(string keyHash, out IssuedKeyEntry key) => keysByHash.TryGetValue(keyHash, out key!);

    /// <summary>The key of KEYWAY_LOCAL_CLIENTS_KEY while it may call the data plane (enabled, in an enabled group), else null.</summary>
    public IssuedKeyEntry? LocalClientsKey { get; init; }

    /// <summary>A route alias of the group, or the group's unified alias (a real route of the same name wins).</summary>
    public bool TryGetRoute(string groupId, string alias, out RouteEntry route)
    {
        route = null!;
        if (routesByGroup.TryGetValue(groupId, out var routes) && routes.TryGetValue(alias, out route!))
        {
            return true;
        }
        return unifiedByGroup.TryGetValue(groupId, out route!) && route.Alias == alias;
    }

    /// <summary>The group's usable routes, ordered by alias.</summary>
    public IEnumerable<RouteEntry> RoutesOf(string groupId) =>
        routesByGroup.TryGetValue(groupId, out var routes)
            ? routes.Values.OrderBy(r => r.Alias, StringComparer.Ordinal)
            : [];

    /// <summary>What /v1/models lists: the group's routes plus its unified alias (unless a route has that name), by alias.</summary>
    public IEnumerable<RouteEntry> ModelsOf(string groupId)
    {
        var routes = RoutesOf(groupId);
        return unifiedByGroup.TryGetValue(groupId, out var unified) && !(routesByGroup.TryGetValue(groupId, out var named) && named.ContainsKey(unified.Alias))
            ? routes.Append(unified).OrderBy(r => r.Alias, StringComparer.Ordinal)
            : routes;
    }

    /// <summary>The ids of every enabled provider.</summary>
    public IEnumerable<string> ProviderIds => providersById.Keys;

    /// <summary>Every enabled provider, including those no route uses (the probe can test them).</summary>
    public bool TryGetProvider(string providerId, out UpstreamProvider provider) => providersById.TryGetValue(providerId, out provider!);

    /// <summary>
    /// The provider that runs web search for a request by <paramref name="key"/> through <paramref name="route"/>: the
    /// key's group's enabled Tavily tool provider with a key, unless the route or the key has <c>web_search: off</c>.
    /// </summary>
    public WebSearchProvider? WebSearchFor(IssuedKeyEntry key, RouteEntry route) =>
        key.WebSearch == WebSearchMode.Off || route.WebSearch == WebSearchMode.Off ? null : webSearchByGroup.GetValueOrDefault(key.GroupId);
}
