using System.Text.Json.Nodes;

namespace Keyway.Cli.Declarative;

/// <summary>
/// Refuses, before the first change, a prune that would take along something the file keeps: deleting a provider
/// deletes its routes and fallbacks, and deleting a route deletes the unified model that points at it, so a file that
/// leaves a provider out while a route it keeps still uses that provider (or leaves out the unified model's route)
/// would lose more than it lists.
/// </summary>
public static class PruneGuard
{
    public static async Task RefuseDanglingAsync(
        AdminClient admin, string groupId, JsonObject declaredGroup, JsonArray existingRoutes,
        IReadOnlyDictionary<DeclaredResource, List<JsonObject>> stale, CancellationToken cancellationToken)
    {
        var prunedProviders = Names(stale[DeclaredResource.Providers], DeclaredResource.Providers);
        if (prunedProviders.Count > 0)
        {
            foreach (var route in ConfigPlanner.Items(declaredGroup, DeclaredResource.Routes.Collection))
            {
                var current = existingRoutes.OfType<JsonObject>().FirstOrDefault(r => r["alias"]?.ToString() == route["alias"]?.ToString());
                var used = await ProvidersUsedAsync(admin, route, current, cancellationToken);
                if (used.FirstOrDefault(prunedProviders.Contains) is { } providerId)
                {
                    throw new CliException(
                        $"nothing was changed: --prune would delete provider {groupId}/{providerId}, which route {groupId}/{route["alias"]} uses and the deletion would take along; "
                        + "list the provider in the file or move the route off it", CliExitCodes.Failed);
                }
            }
        }
        var prunedRoutes = Names(stale[DeclaredResource.Routes], DeclaredResource.Routes);
        if (prunedRoutes.Count > 0 && existingRoutes.Count > 0)
        {
            var unified = declaredGroup["unified"] as JsonObject
                ?? (await admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(groupId)}/unified", cancellationToken))["unified"] as JsonObject;
            if (unified?["route_alias"]?.ToString() is { } routeAlias && prunedRoutes.Contains(routeAlias))
            {
                throw new CliException(
                    $"nothing was changed: --prune would delete route {groupId}/{routeAlias}, and with it the unified model {groupId}/{unified["alias"] ?? "unified-model"} that points at it; "
                    + "list the route in the file or declare unified with another route_alias", CliExitCodes.Failed);
            }
        }
    }

    private static HashSet<string> Names(List<JsonObject> items, DeclaredResource resource) =>
        [.. items.Select(item => item[resource.NameField]?.ToString()).OfType<string>()];

    /// <summary>The route's provider and its fallbacks' as they will be after the apply: declared, else as they are.</summary>
    private static async Task<IEnumerable<string>> ProvidersUsedAsync(AdminClient admin, JsonObject declared, JsonObject? current, CancellationToken cancellationToken)
    {
        var fallbacks = declared["fallbacks"] as JsonArray ?? (current is null
            ? []
            : (await admin.GetAsync($"admin/llm/routes/{Uri.EscapeDataString(current["route_id"]!.ToString())}/providers", cancellationToken))["route_providers"]?.AsArray() ?? []);
        return new[] { declared["provider_id"] ?? current?["provider_id"] }.Concat(fallbacks.Select(f => f?["provider_id"]))
            .Select(id => id?.ToString()).OfType<string>();
    }
}
