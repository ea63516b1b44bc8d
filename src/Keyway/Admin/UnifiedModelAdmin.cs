using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// The unified alias of a group: <c>{"alias","route_id","route_alias","key_name","key_pinned"}</c>, or null when none is set.
/// <c>key_pinned</c> is false when <c>key_name</c> names no enabled key of the route's pool any more, so the pool chooses.
/// </summary>
public sealed record UnifiedModelResponse(
    string GroupId, string Alias, string RouteId, string RouteAlias, string? KeyName, bool KeyPinned, DateTimeOffset UpdatedAt);

public sealed record UnifiedModelEnvelope(UnifiedModelResponse? Unified) : OkEnvelope;

/// <summary>
/// /admin/llm/groups/{id}/unified: one fixed model name (default "unified-model") that clients keep using while an
/// admin points it at another route, and optionally one key of its pool. Takes effect on the next request.
/// </summary>
internal static class UnifiedModelAdmin
{
    public const string DefaultAlias = "unified-model";

    public static void MapUnifiedModelAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/groups/{groupId}/unified", GetAsync);
        admin.MapPut("/llm/groups/{groupId}/unified", SetAsync);
        admin.MapDelete("/llm/groups/{groupId}/unified", DeleteAsync);
    }

    private static async Task<IResult> GetAsync(
        string groupId, GroupRepository groups, UnifiedModelRepository unified, RouteRepository routes, ProviderRepository providers,
        RouteProviderRepository targets, CancellationToken cancellationToken)
    {
        await groups.RequireGroupAsync(groupId, cancellationToken);
        return await RespondAsync(await unified.GetAsync(groupId, cancellationToken), routes, providers, targets, cancellationToken);
    }

    private static async Task<IResult> SetAsync(
        string groupId, HttpRequest request, GroupRepository groups, UnifiedModelRepository unified, RouteRepository routes,
        ProviderRepository providers, RouteProviderRepository targets, ConfigurationChangeNotifier notifier, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var (alias, routeId, routeAlias, keyName) = Read(body);
        var groupRoutes = await routes.ListByGroupAsync(groupId, cancellationToken);
        var route = groupRoutes.FirstOrDefault(r => routeId is not null ? r.RouteId == routeId : r.Alias == routeAlias)
            ?? throw AdminProblem.BadRequest($"route not found in this group: {routeId ?? routeAlias}", routeId is not null ? "route_id" : "route_alias");
        if (keyName is not null && !await PoolHasKeyAsync(route, keyName, enabledOnly: false, providers, targets, cancellationToken))
        {
            throw AdminProblem.BadRequest($"key_name '{keyName}' is not in the key pool of route '{route.Alias}'", "key_name");
        }
        var record = new UnifiedModelRecord(groupId, alias, route.RouteId, keyName, time.GetUtcNow());
        // A route of that alias is refused in the same transaction as the write: POST …/routes refuses the reverse.
        await unified.SetAsync(record, cancellationToken).OrConflict($"alias '{alias}' already exists in group '{groupId}'");
        await notifier.NotifyAsync();
        return await RespondAsync(record, routes, providers, targets, cancellationToken);
    }

    private static async Task<IResult> DeleteAsync(
        string groupId, GroupRepository groups, UnifiedModelRepository unified, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        await groups.RequireGroupAsync(groupId, cancellationToken);
        await unified.DeleteAsync(groupId, cancellationToken);
        await notifier.NotifyAsync();
        return TypedResults.Json(new UnifiedModelEnvelope(null), AdminJsonContext.Default.UnifiedModelEnvelope);
    }

    /// <summary>
    /// The 409 detail of a delete that would take the unified model along with its route: clients keep asking for the
    /// unified name, so it is re-pointed (or unset) on purpose first rather than vanishing into "model not found".
    /// </summary>
    public static string TargetConflict(string subject, string? unifiedAlias, string groupId) =>
        $"{subject} the unified model '{unifiedAlias ?? DefaultAlias}' of group '{groupId}' points at; "
        + $"point the unified model at another route first (keyway unified switch-model ROUTE, or PUT /admin/llm/groups/{groupId}/unified) "
        + $"or unset it (DELETE /admin/llm/groups/{groupId}/unified)";

    /// <summary>The body of a PUT: the alias (default "unified-model"), the route by id or alias (one is required), the pinned key's name.</summary>
    public static (string Alias, string? RouteId, string? RouteAlias, string? KeyName) Read(RequestBody body)
    {
        var alias = body.OptionalString("alias", 128) ?? DefaultAlias;
        var routeId = body.OptionalString("route_id", 64);
        var routeAlias = body.OptionalString("route_alias", 128);
        if (routeId is null && routeAlias is null)
        {
            throw AdminProblem.BadRequest("route_alias or route_id is required", "route_alias");
        }
        return (alias, routeId, routeAlias, body.OptionalString("key_name", AdminValidation.NameMaxLength));
    }

    private static async Task<bool> PoolHasKeyAsync(
        RouteRecord route, string keyName, bool enabledOnly, ProviderRepository providers, RouteProviderRepository targets,
        CancellationToken cancellationToken)
    {
        var providerIds = (await targets.ListByRouteAsync(route.RouteId, cancellationToken))
            .Where(t => t.Enabled || !enabledOnly)
            .Select(t => t.ProviderId)
            .Append(route.ProviderId);
        foreach (var providerId in providerIds.Distinct())
        {
            var provider = await providers.GetAsync(providerId, cancellationToken);
            if (provider is not null && (provider.Enabled || !enabledOnly)
                && provider.Keys.Any(key => key.Name == keyName && (key.Enabled || !enabledOnly)))
            {
                return true;
            }
        }
        return false;
    }

    private static async Task<IResult> RespondAsync(
        UnifiedModelRecord? record, RouteRepository routes, ProviderRepository providers, RouteProviderRepository targets,
        CancellationToken cancellationToken)
    {
        var route = record is null ? null : await routes.GetAsync(record.RouteId, cancellationToken);
        if (record is null || route is null)
        {
            return TypedResults.Json(new UnifiedModelEnvelope(null), AdminJsonContext.Default.UnifiedModelEnvelope);
        }
        var keyPinned = record.KeyName is not null
            && await PoolHasKeyAsync(route, record.KeyName, enabledOnly: true, providers, targets, cancellationToken);
        var response = new UnifiedModelResponse(record.GroupId, record.Alias, record.RouteId, route.Alias, record.KeyName, keyPinned, record.UpdatedAt);
        return TypedResults.Json(new UnifiedModelEnvelope(response), AdminJsonContext.Default.UnifiedModelEnvelope);
    }
}
