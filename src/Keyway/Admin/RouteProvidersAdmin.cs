using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// /admin/llm/routes/{route_id}/providers and /admin/llm/route-providers/{rp_id}: a route's fallback targets, tried
/// by priority (lower first) after the route's own binding; a row naming the route's own provider replaces that binding.
/// </summary>
internal static class RouteProvidersAdmin
{
    private const int ModelMaxLength = 256;
    private const int MaxPriority = 1_000_000;

    public static void MapRouteProvidersAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/routes/{routeId}/providers", ListAsync);
        admin.MapPost("/llm/routes/{routeId}/providers", CreateAsync);
        admin.MapPatch("/llm/route-providers/{rpId}", UpdateAsync);
        admin.MapDelete("/llm/route-providers/{rpId}", DeleteAsync);
    }

    private static async Task<IResult> ListAsync(string routeId, RouteRepository routes, RouteProviderRepository targets, CancellationToken cancellationToken)
    {
        await routes.RequireRouteAsync(routeId, cancellationToken);
        var list = await targets.ListByRouteAsync(routeId, cancellationToken);
        return TypedResults.Json(
            new RouteProviderListEnvelope(list.Select(target => target.AsResponse()).ToList()), AdminJsonContext.Default.RouteProviderListEnvelope);
    }

    private static async Task<IResult> CreateAsync(
        string routeId, HttpRequest request, RouteRepository routes, ProviderRepository providers, RouteProviderRepository targets,
        ConfigurationChangeNotifier notifier, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var route = await routes.RequireRouteAsync(routeId, cancellationToken);
        var providerId = ProviderId(body);
        var provider = await providers.GetAsync(providerId, cancellationToken)
            ?? throw AdminProblem.BadRequest($"provider not found: {providerId}", "provider_id");
        if (provider.GroupId != route.GroupId)
        {
            throw AdminProblem.BadRequest("provider does not belong to this route's group", "provider_id");
        }
        var target = Read(body, New(routeId, providerId, route.UpstreamModel, time.GetUtcNow()), creating: true);
        await targets.CreateAsync(target, cancellationToken).OrConflict($"provider '{providerId}' is already a target of route '{routeId}'");
        await notifier.NotifyAsync();
        return Respond(target);
    }

    private static async Task<IResult> UpdateAsync(
        string rpId, HttpRequest request, RouteProviderRepository targets, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var target = await targets.GetAsync(rpId, cancellationToken) ?? throw NotFound(rpId);
        var updated = Read(body, target, creating: false);
        if (!await targets.UpdateAsync(updated, cancellationToken))
        {
            throw NotFound(rpId);
        }
        await notifier.NotifyAsync();
        return Respond(updated);
    }

    private static async Task<IResult> DeleteAsync(
        string rpId, RouteProviderRepository targets, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        if (!await targets.DeleteAsync(rpId, cancellationToken))
        {
            throw NotFound(rpId);
        }
        await notifier.NotifyAsync();
        return TypedResults.Json(new MessageResponse($"route provider deleted: {rpId}"), AdminJsonContext.Default.MessageResponse);
    }

    public static string ProviderId(RequestBody body) => body.RequiredString("provider_id", 64);

    /// <summary>A target of <paramref name="routeId"/> before its body is read: priority 0, enabled, the route's model.</summary>
    public static RouteProviderRecord New(string routeId, string providerId, string routeModel, DateTimeOffset now) =>
        new(AdminValidation.NewId(), routeId, providerId, routeModel, 0, true, now);

    /// <summary>
    /// The fields create and PATCH read from <paramref name="body"/>, onto <paramref name="target"/>: on create a missing (or
    /// null) upstream_model keeps the route's, on PATCH an explicit one must name a model.
    /// </summary>
    public static RouteProviderRecord Read(RequestBody body, RouteProviderRecord target, bool creating) => target with
    {
        UpstreamModel = creating
            ? body.OptionalString("upstream_model", ModelMaxLength) ?? target.UpstreamModel
            : body.Has("upstream_model") ? body.RequiredString("upstream_model", ModelMaxLength) : target.UpstreamModel,
        Priority = body.OptionalInt("priority", 0, MaxPriority) ?? target.Priority,
        Enabled = body.OptionalBool("enabled") ?? target.Enabled,
    };

    private static AdminProblem NotFound(string rpId) => AdminProblem.NotFound($"route provider not found: {rpId}");

    private static IResult Respond(RouteProviderRecord target) =>
        TypedResults.Json(new RouteProviderEnvelope(target.AsResponse()), AdminJsonContext.Default.RouteProviderEnvelope);
}
