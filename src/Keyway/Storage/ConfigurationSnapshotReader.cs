namespace Keyway.Storage;

/// <summary>Reads the whole configuration the data plane routes with: groups, providers with their keys, routes, issued keys, tool providers, route fallbacks, unified aliases.</summary>
public sealed class ConfigurationSnapshotReader(
    GroupRepository groups,
    ProviderRepository providers,
    RouteRepository routes,
    IssuedKeyRepository issuedKeys,
    ToolProviderRepository toolProviders,
    RouteProviderRepository routeProviders,
    UnifiedModelRepository unifiedModels)
{
    public async Task<ConfigurationSnapshot> LoadAsync(CancellationToken cancellationToken) => new(
        await groups.ListAllAsync(cancellationToken),
        await providers.ListAllAsync(cancellationToken),
        await routes.ListAllAsync(cancellationToken),
        await issuedKeys.ListAllAsync(cancellationToken),
        await toolProviders.ListAllAsync(cancellationToken),
        await routeProviders.ListAllAsync(cancellationToken),
        await unifiedModels.ListAllAsync(cancellationToken));
}
