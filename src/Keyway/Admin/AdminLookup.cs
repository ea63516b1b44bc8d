using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>Loads a row named in the URL or answers 404 with Keyway's text.</summary>
internal static class AdminLookup
{
    public static async Task<GroupRecord> RequireGroupAsync(this GroupRepository groups, string groupId, CancellationToken cancellationToken) =>
        await groups.GetAsync(groupId, cancellationToken) ?? throw AdminProblem.NotFound($"group not found: {groupId}");

    public static async Task<ProviderRecord> RequireProviderAsync(this ProviderRepository providers, string providerId, CancellationToken cancellationToken) =>
        await providers.GetAsync(providerId, cancellationToken) ?? throw AdminProblem.NotFound($"provider not found: {providerId}");

    public static async Task<RouteRecord> RequireRouteAsync(this RouteRepository routes, string routeId, CancellationToken cancellationToken) =>
        await routes.GetAsync(routeId, cancellationToken) ?? throw AdminProblem.NotFound($"route not found: {routeId}");

    public static async Task<IssuedKeyRecord> RequireKeyAsync(this IssuedKeyRepository keys, string keyId, CancellationToken cancellationToken) =>
        await keys.GetAsync(keyId, cancellationToken) ?? throw AdminProblem.NotFound($"key not found: {keyId}");

    public static async Task<ToolProviderRecord> RequireToolProviderAsync(this ToolProviderRepository tools, string toolId, CancellationToken cancellationToken) =>
        await tools.GetAsync(toolId, cancellationToken) ?? throw AdminProblem.NotFound($"tool provider not found: {toolId}");

    public static UpstreamKeyRecord RequireKey(this ProviderRecord provider, string keyId) =>
        provider.Keys.FirstOrDefault(key => key.KeyId == keyId)
            ?? throw AdminProblem.NotFound($"upstream key not found: {keyId}");

    /// <summary>Runs a write that may collide with a unique key and answers 409 with <paramref name="conflictDetail"/>.</summary>
    public static async Task<T> OrConflict<T>(this Task<T> write, string conflictDetail)
    {
        try
        {
            return await write;
        }
        catch (StorageConflictException)
        {
            throw AdminProblem.Conflict(conflictDetail);
        }
    }

    public static Task OrConflict(this Task write, string conflictDetail) => OrConflict(WithResult(write), conflictDetail);

    private static async Task<bool> WithResult(Task write)
    {
        await write;
        return true;
    }
}
