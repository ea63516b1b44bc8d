using System.Collections.Frozen;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Tools;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>Turns a configuration snapshot into a RoutingTable, decrypting each upstream secret once.</summary>
public static class RoutingTableBuilder
{
    /// <param name="localClientsKey">KEYWAY_LOCAL_CLIENTS_KEY; the table holds that key while it may call the data plane.</param>
    public static RoutingTable Build(ConfigurationSnapshot snapshot, SecretBox secrets, FailoverPolicy defaults, string? localClientsKey = null)
    {
        var enabledGroups = snapshot.Groups.Where(g => g.Enabled).Select(g => g.GroupId).ToHashSet(StringComparer.Ordinal);

        var providers = snapshot.Providers
            .Where(p => p.Enabled && enabledGroups.Contains(p.GroupId) && UpstreamProtocolNames.TryParse(p.Protocol, out _))
            .ToFrozenDictionary(p => p.ProviderId, p => ToUpstream(p, secrets, defaults), StringComparer.Ordinal);

        var fallbacks = snapshot.RouteProviders.ToLookup(rp => rp.RouteId, StringComparer.Ordinal);
        var entries = snapshot.Routes
            .Where(r => r.Enabled && enabledGroups.Contains(r.GroupId))
            .Select(r => ToEntry(r, fallbacks[r.RouteId], providers))
            .OfType<RouteEntry>()
            .ToList();
        var routes = entries
            .GroupBy(r => r.Provider.GroupId, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToFrozenDictionary(r => r.Alias, StringComparer.Ordinal), StringComparer.Ordinal);
        var entriesById = entries.ToDictionary(r => r.RouteId, StringComparer.Ordinal);
        var unified = snapshot.UnifiedModels
            .Where(u => entriesById.ContainsKey(u.RouteId))
            .ToFrozenDictionary(
                u => u.GroupId,
                u => entriesById[u.RouteId] with { Alias = u.Alias, PinnedKeyName = PinInPool(u.KeyName, entriesById[u.RouteId]) },
                StringComparer.Ordinal);

        var keys = snapshot.IssuedKeys
            .Where(k => k.Enabled && enabledGroups.Contains(k.GroupId))
            .ToFrozenDictionary(k => k.KeyHash, k => new IssuedKeyEntry(k.KeyId, k.GroupId, k.ExpiresAt) { WebSearch = k.WebSearch, Policy = k.Policy }, StringComparer.Ordinal);

        var groupNames = snapshot.Groups.Where(g => g.Enabled).ToFrozenDictionary(g => g.GroupId, g => g.Name, StringComparer.Ordinal);
        return new RoutingTable(keys, routes, providers, groupNames, unified, WebSearch(snapshot, enabledGroups, secrets))
        {
            LocalClientsKey = snapshot.IssuedKeys.FirstOrDefault(key => IsNamedBy(key, localClientsKey)) is { } named ? keys.GetValueOrDefault(named.KeyHash) : null,
        };
    }

    /// <summary>
    /// A unified pin holds only while an enabled key of that name is in the route's pool: once the key is deleted,
    /// renamed, disabled or its provider leaves the route, the pool chooses again (instead of answering 503 with no key
    /// left to wait for); a key of that name coming back restores the pin.
    /// </summary>
    private static string? PinInPool(string? keyName, RouteEntry route) =>
        keyName is not null && route.Targets.Any(target => target.Provider.Keys.Any(key => key.Name == keyName)) ? keyName : null;

    /// <summary>Whether <paramref name="reference"/> (KEYWAY_LOCAL_CLIENTS_KEY) names <paramref name="key"/>: its id, or <c>GROUP/NAME</c>.</summary>
    private static bool IsNamedBy(IssuedKeyRecord key, string? reference) =>
        reference is not null && (reference == key.KeyId || reference == $"{key.GroupId}/{key.Name}");

    /// <summary>Per group, its first enabled Tavily provider (by tool_id) with a key; matched on kind, so a copied group's counts too.</summary>
    private static FrozenDictionary<string, WebSearchProvider> WebSearch(ConfigurationSnapshot snapshot, HashSet<string> enabledGroups, SecretBox secrets) =>
        snapshot.ToolProviders
            .Where(tool => tool.Enabled && enabledGroups.Contains(tool.GroupId))
            .OrderBy(tool => tool.ToolId, StringComparer.Ordinal)
            .Select(tool => (tool.GroupId, Provider: WebSearchProvider.From(tool, secrets)))
            .Where(pair => pair.Provider is not null)
            .DistinctBy(pair => pair.GroupId, StringComparer.Ordinal)
            .ToFrozenDictionary(pair => pair.GroupId, pair => pair.Provider!, StringComparer.Ordinal);

    /// <summary>
    /// The route's targets: its own binding at priority 0, then its enabled route_providers by priority (lower first;
    /// the own binding wins a tie). A route_providers row naming the route's own provider replaces the own binding.
    /// Targets whose provider is disabled are left out; a route with none left is absent.
    /// </summary>
    private static RouteEntry? ToEntry(
        RouteRecord route, IEnumerable<RouteProviderRecord> fallbacks, FrozenDictionary<string, UpstreamProvider> providers)
    {
        var rows = fallbacks.Where(rp => rp.Enabled).ToList();
        var ranked = new List<(int Priority, int Order, RouteTarget Target)>();
        if (providers.TryGetValue(route.ProviderId, out var own) && rows.All(rp => rp.ProviderId != route.ProviderId))
        {
            ranked.Add((0, -1, new RouteTarget(own, route.UpstreamModel)));
        }
        for (var i = 0; i < rows.Count; i++)
        {
            if (providers.TryGetValue(rows[i].ProviderId, out var provider) && provider.GroupId == route.GroupId)
            {
                ranked.Add((rows[i].Priority, i, new RouteTarget(provider, rows[i].UpstreamModel)));
            }
        }
        if (ranked.Count == 0)
        {
            return null;
        }
        var targets = ranked.OrderBy(t => t.Priority).ThenBy(t => t.Order).Select(t => t.Target).ToArray();
        var defaults = new Protocols.RequestDefaults(route.DefaultReasoningEffort, route.MaxTokensCap, route.DefaultTemperature);
        return new RouteEntry(route.RouteId, route.Alias, targets[0].UpstreamModel, route.UpstreamPath, route.CreatedAt, targets[0].Provider, targets)
        {
            Defaults = defaults.IsEmpty ? null : defaults,
            WebSearch = route.WebSearch,
            AllowedPaths = route.AllowedPaths,
            ServesVisitors = route.AllowVisitors && targets.Any(target => target.Provider.Keys.Any(key => key.AllowVisitor)),
            AllowsVisitors = route.AllowVisitors,
        };
    }

    /// <summary>The provider as the data plane would call it (its enabled keys), also when it or its group is disabled.</summary>
    public static UpstreamProvider ToUpstream(ProviderRecord provider, SecretBox secrets, FailoverPolicy defaults)
    {
        UpstreamProtocolNames.TryParse(provider.Protocol, out var protocol);
        var keys = provider.Keys
            .Where(k => k.Enabled)
            .OrderBy(k => k.SortOrder)
            .Select(k => new UpstreamKey(k.KeyId, k.Name, secrets.Open(k.SealedSecret), k.Models ?? [], k.BaseUrl)
            {
                AllowVisitor = k.AllowVisitor,
                MaxConcurrency = k.MaxConcurrency,
                NativeEndpoints = NativeEndpoints(k.NativeEndpoints, protocol),
            })
            .ToArray();
        return new UpstreamProvider(
            provider.ProviderId,
            provider.GroupId,
            provider.Name,
            protocol,
            provider.BaseUrl,
            TimeSpan.FromSeconds(provider.TimeoutSeconds),
            // A header the admin API now refuses, stored before it did, is left out (RoutingTableHolder warns of it).
            SealedHeaders.Open(provider.SealedExtraHeaders, secrets).Where(header => !ExtraHeaderRule.IsRefused(header.Key)).ToArray(),
            keys)
        {
            NativeEndpoints = WithKeysOwn(NativeEndpoints(provider.NativeEndpoints, protocol), keys),
            Websocket = provider.Websocket,
            ThinkingSwitch = ThinkingSwitchNames.Parse(provider.ThinkingSwitch),
            AuthHeader = provider.AuthHeader,
            ReasoningReplay = provider.ReasoningReplay,
            ReasoningSplit = provider.ReasoningSplit,
            RoutingMode = KeyRoutingModeNames.Parse(provider.RoutingMode),
            Policy = defaults.WithProviderOverrides(
                provider.MaxRetries, provider.KeyFailureThreshold, provider.KeyCooldownSeconds, provider.KeyWaitSeconds),
        };
    }

    /// <summary>
    /// A provider's or key's native endpoints in known protocols other than the provider's main one (the admin API allows
    /// no others; a later change of the provider's protocol may leave one behind, which is not used).
    /// </summary>
    private static UpstreamEndpoint[] NativeEndpoints(IReadOnlyDictionary<string, string>? map, UpstreamProtocol main) =>
        (map ?? new Dictionary<string, string>())
            .Select(pair => UpstreamProtocolNames.TryParse(pair.Key, out var protocol) && protocol != main
                ? new UpstreamEndpoint(protocol, pair.Value, IsMain: false)
                : null)
            .OfType<UpstreamEndpoint>()
            .ToArray();

    /// <summary>
    /// The provider's native endpoints and, for each protocol only some of its keys have their own base URL for, one
    /// without a base URL: the client of that protocol is passed through on those keys (built here once, so a request
    /// to a provider without any looks at nothing more).
    /// </summary>
    private static UpstreamEndpoint[] WithKeysOwn(UpstreamEndpoint[] providers, UpstreamKey[] keys) =>
    [
        .. providers,
        .. keys.SelectMany(key => key.NativeEndpoints)
            .Select(endpoint => endpoint.Protocol)
            .Distinct()
            .Where(protocol => providers.All(endpoint => endpoint.Protocol != protocol))
            .Select(protocol => new UpstreamEndpoint(protocol, BaseUrl: null, IsMain: false)),
    ];
}
