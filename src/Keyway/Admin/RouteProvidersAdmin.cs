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
        var providerId = body.RequiredString("provider_id", 64);
        var provider = await providers.GetAsync(providerId, cancellationToken)
            ?? throw AdminProblem.BadRequest($"provider not found: {providerId}", "provider_id");
        if (provider.GroupId != route.GroupId)
        {
            throw AdminProblem.BadRequest("provider does not belong to this route's group", "provider_id");
        }
        var target = new RouteProviderRecord(
            AdminValidation.NewId(), routeId, providerId,
            body.OptionalString("upstream_model", ModelMaxLength) ?? route.UpstreamModel,
            body.OptionalInt("priority", 0, MaxPriority) ?? 0,
            body.OptionalBool("enabled") ?? true,
            time.GetUtcNow());
        await targets.CreateAsync(target, cancellationToken).OrConflict($"provider '{providerId}' is already a target of route '{routeId}'");
        await notifier.NotifyAsync();
        return Respond(target);
    }

    private static async Task<IResult> UpdateAsync(
        string rpId, HttpRequest request, RouteProviderRepository targets, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var target = await targets.GetAsync(rpId, cancellationToken) ?? throw NotFound(rpId);
        var updated = target with
        {
            UpstreamModel = body.Has("upstream_model") ? body.RequiredString("upstream_model", ModelMaxLength) : target.UpstreamModel,
            Priority = body.OptionalInt("priority", 0, MaxPriority) ?? target.Priority,
            Enabled = body.OptionalBool("enabled") ?? target.Enabled,
        };
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

    private static AdminProblem NotFound(string rpId) => AdminProblem.NotFound($"route provider not found: {rpId}");

    private static IResult Respond(RouteProviderRecord target) =>
        TypedResults.Json(new RouteProviderEnvelope(target.AsResponse()), AdminJsonContext.Default.RouteProviderEnvelope);
}
