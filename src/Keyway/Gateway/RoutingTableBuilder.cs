using System.Collections.Frozen;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>Turns a configuration snapshot into a RoutingTable, decrypting each upstream secret once.</summary>
public static class RoutingTableBuilder
{
    public static RoutingTable Build(ConfigurationSnapshot snapshot, SecretBox secrets)
    {
        var enabledGroups = snapshot.Groups.Where(g => g.Enabled).Select(g => g.GroupId).ToHashSet(StringComparer.Ordinal);

        var providers = snapshot.Providers
            .Where(p => p.Enabled && enabledGroups.Contains(p.GroupId) && UpstreamProtocolNames.TryParse(p.Protocol, out _))
            .ToFrozenDictionary(p => p.ProviderId, p => ToUpstream(p, secrets), StringComparer.Ordinal);

        var routes = snapshot.Routes
            .Where(r => r.Enabled && enabledGroups.Contains(r.GroupId) && providers.ContainsKey(r.ProviderId))
            .GroupBy(r => r.GroupId, StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.ToFrozenDictionary(
                    r => r.Alias,
                    r => new RouteEntry(r.RouteId, r.Alias, r.UpstreamModel, r.UpstreamPath, r.CreatedAt, providers[r.ProviderId]),
                    StringComparer.Ordinal),
                StringComparer.Ordinal);

        var keys = snapshot.IssuedKeys
            .Where(k => k.Enabled && enabledGroups.Contains(k.GroupId))
            .ToFrozenDictionary(k => k.KeyHash, k => new IssuedKeyEntry(k.KeyId, k.GroupId, k.ExpiresAt), StringComparer.Ordinal);

        var groupNames = snapshot.Groups.Where(g => g.Enabled).ToFrozenDictionary(g => g.GroupId, g => g.Name, StringComparer.Ordinal);
        return new RoutingTable(keys, routes, providers, groupNames);
    }

    private static UpstreamProvider ToUpstream(ProviderRecord provider, SecretBox secrets)
    {
        UpstreamProtocolNames.TryParse(provider.Protocol, out var protocol);
        var keys = provider.Keys
            .Where(k => k.Enabled)
            .OrderBy(k => k.SortOrder)
            .Select(k => new UpstreamKey(k.KeyId, k.Name, secrets.Open(k.SealedSecret)))
            .ToArray();
        return new UpstreamProvider(
            provider.ProviderId,
            provider.GroupId,
            provider.Name,
            protocol,
            provider.BaseUrl,
            TimeSpan.FromSeconds(provider.TimeoutSeconds),
            provider.ExtraHeaders.ToArray(),
            keys);
    }
}
