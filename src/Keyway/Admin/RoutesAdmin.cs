using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>/admin/llm/groups/{id}/routes and /admin/llm/routes/{id}. A route's provider must be in the route's group.</summary>
internal static class RoutesAdmin
{
    private const int AliasMaxLength = 128;
    private const int ModelMaxLength = 256;

    public static void MapRoutesAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/groups/{groupId}/routes", ListAsync);
        admin.MapPost("/llm/groups/{groupId}/routes", CreateAsync);
        admin.MapGet("/llm/routes/{routeId}", GetAsync);
        admin.MapPatch("/llm/routes/{routeId}", UpdateAsync);
        admin.MapDelete("/llm/routes/{routeId}", DeleteAsync);
    }

    private static async Task<IResult> ListAsync(string groupId, GroupRepository groups, RouteRepository routes, CancellationToken cancellationToken)
    {
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var list = await routes.ListByGroupAsync(groupId, cancellationToken);
        return TypedResults.Json(new RouteListEnvelope(list.Select(route => route.AsResponse()).ToList()), AdminJsonContext.Default.RouteListEnvelope);
    }

    private static async Task<IResult> CreateAsync(
        string groupId, HttpRequest request, GroupRepository groups, ProviderRepository providers, RouteRepository routes,
        ConfigurationChangeNotifier notifier, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var route = Read(body, New(groupId, time.GetUtcNow()), creating: true);
        await RequireProviderInGroupAsync(providers, route.ProviderId, groupId, cancellationToken);
        await routes.CreateAsync(route, cancellationToken).OrConflict(DuplicateAlias(route.Alias, groupId));
        await notifier.NotifyAsync();
        return Respond(route);
    }

    private static async Task<IResult> GetAsync(string routeId, RouteRepository routes, CancellationToken cancellationToken) =>
        Respond(await routes.RequireRouteAsync(routeId, cancellationToken));

    private static async Task<IResult> UpdateAsync(
        string routeId, HttpRequest request, ProviderRepository providers, RouteRepository routes, ConfigurationChangeNotifier notifier,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var route = await routes.RequireRouteAsync(routeId, cancellationToken);
        var updated = Read(body, route, creating: false) with { UpdatedAt = time.GetUtcNow() };
        if (updated.ProviderId != route.ProviderId)
        {
            await RequireProviderInGroupAsync(providers, updated.ProviderId, route.GroupId, cancellationToken);
        }
        if (!await routes.UpdateAsync(updated, cancellationToken).OrConflict(DuplicateAlias(updated.Alias, route.GroupId)))
        {
            throw AdminProblem.NotFound($"route not found: {routeId}");
        }
        await notifier.NotifyAsync();
        return Respond(updated);
    }

    private static async Task<IResult> DeleteAsync(
        string routeId, RouteRepository routes, UnifiedModelRepository unified, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var route = await routes.RequireRouteAsync(routeId, cancellationToken);
        var unifiedAlias = (await unified.GetAsync(route.GroupId, cancellationToken))?.Alias;
        var conflict = UnifiedModelAdmin.TargetConflict($"route '{route.Alias}' is the route", unifiedAlias, route.GroupId);
        if (!await routes.DeleteAsync(route, cancellationToken).OrConflict(conflict))
        {
            throw AdminProblem.NotFound($"route not found: {routeId}");
        }
        await notifier.NotifyAsync();
        return TypedResults.Json(new MessageResponse($"route deleted: {routeId}"), AdminJsonContext.Default.MessageResponse);
    }

    /// <summary>A route of <paramref name="groupId"/> before its body is read: enabled, web search auto, every path, no visitors.</summary>
    public static RouteRecord New(string groupId, DateTimeOffset now) =>
        new(AdminValidation.NewId(), groupId, "", "", "", "", true, "", now, now, WebSearchMode.Auto) { AllowedPaths = [], AllowVisitors = false };

    /// <summary>
    /// The fields create and PATCH read from <paramref name="body"/>, onto <paramref name="route"/>: create requires alias,
    /// provider_id and upstream_model; the provider's group needs the database and stays with the handlers.
    /// </summary>
    public static RouteRecord Read(RequestBody body, RouteRecord route, bool creating) => RouteDefaultsFields.Apply(body, route) with
    {
        Alias = creating || body.Has("alias") ? body.RequiredString("alias", AliasMaxLength) : route.Alias,
        ProviderId = creating || body.Has("provider_id") ? body.RequiredString("provider_id", 64) : route.ProviderId,
        UpstreamModel = creating || body.Has("upstream_model") ? body.RequiredString("upstream_model", ModelMaxLength) : route.UpstreamModel,
        UpstreamPath = body.OptionalString("upstream_path", ModelMaxLength) ?? route.UpstreamPath,
        Enabled = body.OptionalBool("enabled") ?? route.Enabled,
        Note = body.OptionalString("note", AdminValidation.NoteMaxLength) ?? route.Note,
        WebSearch = body.OptionalWebSearch() ?? route.WebSearch,
        AllowedPaths = RouteAllowedPaths.Read(body) ?? route.AllowedPaths,
        AllowVisitors = body.OptionalBool("allow_visitors") ?? route.AllowVisitors,
    };

    private static async Task RequireProviderInGroupAsync(
        ProviderRepository providers, string providerId, string groupId, CancellationToken cancellationToken)
    {
        var provider = await providers.GetAsync(providerId, cancellationToken)
            ?? throw AdminProblem.BadRequest($"provider not found: {providerId}", "provider_id");
        if (provider.GroupId != groupId)
        {
            throw AdminProblem.BadRequest("provider does not belong to this group", "provider_id");
        }
    }

    /// <summary>
    /// The group's unified alias is taken like a route's (the repository refuses both): a route under that name would
    /// silently win the alias on the data plane while the unified setting still named another route.
    /// </summary>
    private static string DuplicateAlias(string alias, string groupId) => $"alias '{alias}' already exists in group '{groupId}'";

    private static IResult Respond(RouteRecord route) =>
        TypedResults.Json(new RouteEnvelope(route.AsResponse()), AdminJsonContext.Default.RouteEnvelope);
}
