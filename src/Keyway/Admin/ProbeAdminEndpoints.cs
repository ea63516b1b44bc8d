using Keyway.Configuration;
using Keyway.Gateway;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Admin;

/// <summary>
/// POST /admin/llm/test (one provider or one route) and POST /admin/llm/e2e (every usable route, a few
/// at a time, each bounded by RouteProber.MaxProbeTime). Shapes are the Python Keyway's.
/// </summary>
public static class ProbeAdminEndpoints
{
    private const int E2eConcurrency = 4;

    public static RouteGroupBuilder MapProbeAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/llm/test", TestAsync);
        admin.MapPost("/llm/e2e", EndToEndAsync);
        return admin;
    }

    private static async Task<IResult> TestAsync(
        HttpContext context, RoutingTableHolder routing, RouteProber prober, ConfigurationSnapshotReader configuration, SecretBox secrets,
        KeywayOptions options, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(context.Request, cancellationToken);
        ProbeResult result;
        if (body.OptionalString("provider_id", 64) is { } providerId)
        {
            var (provider, upstreamModel) = ProviderTarget(await configuration.LoadAsync(cancellationToken), providerId, secrets, options.Failover);
            result = await prober.ProbeAsync(provider, upstreamModel, cancellationToken);
        }
        else
        {
            (_, result) = await prober.ProbeRouteAsync(Route(routing.Current, body), cancellationToken);
        }
        return TypedResults.Json(new ProbeTestResponse(true, result), ProbeJsonContext.Default.ProbeTestResponse);
    }

    /// <summary>
    /// {"provider_id"}: the provider as stored, so a disabled one (or one in a disabled group) can be tried before it is
    /// enabled, chatting with the model of the first route (by alias, enabled ones first) that names it as its own provider or
    /// as a fallback target.
    /// </summary>
    private static (UpstreamProvider Provider, string UpstreamModel) ProviderTarget(
        ConfigurationSnapshot configuration, string providerId, SecretBox secrets, FailoverPolicy defaults)
    {
        var provider = configuration.Providers.FirstOrDefault(p => p.ProviderId == providerId)
            ?? throw AdminProblem.NotFound($"provider not found: {providerId}");
        var fallbacks = configuration.RouteProviders.ToLookup(rp => rp.RouteId, StringComparer.Ordinal);
        var upstreamModel = configuration.Routes
            .Where(route => route.GroupId == provider.GroupId)
            .OrderBy(route => !route.Enabled)
            .ThenBy(route => route.Alias, StringComparer.Ordinal)
            .Select(route => ModelFor(route, fallbacks[route.RouteId], providerId))
            .FirstOrDefault(model => model is not null)
            ?? throw AdminProblem.BadRequest($"provider '{providerId}' has no route: add one to test a chat call", "provider_id");
        return (RoutingTableBuilder.ToUpstream(provider, secrets, defaults), upstreamModel);
    }

    /// <summary>The upstream model the route asks of the provider: its fallback row's (enabled first), else the route's own.</summary>
    private static string? ModelFor(RouteRecord route, IEnumerable<RouteProviderRecord> fallbacks, string providerId) =>
        fallbacks.Where(rp => rp.ProviderId == providerId).OrderBy(rp => !rp.Enabled).Select(rp => rp.UpstreamModel).FirstOrDefault()
        ?? (route.ProviderId == providerId ? route.UpstreamModel : null);

    /// <summary>{"alias","group_id"}: that route, probed as its next request would go (<see cref="RouteProber.ProbeRouteAsync"/>).</summary>
    private static RouteEntry Route(RoutingTable table, RequestBody body)
    {
        var alias = body.OptionalString("alias", 200) ?? throw AdminProblem.BadRequest("give provider_id, or alias and group_id", "provider_id");
        var groupId = body.OptionalString("group_id", 64) ?? "default";
        return table.TryGetRoute(groupId, alias, out var route) ? route : throw AdminProblem.NotFound($"model '{alias}' not found in group '{groupId}'");
    }

    private static async Task<IResult> EndToEndAsync(HttpContext context, RoutingTableHolder routing, RouteProber prober, CancellationToken cancellationToken)
    {
        var groupFilter = context.Request.ContentLength is > 0
            ? (await RequestBody.ReadAsync(context.Request, cancellationToken)).OptionalString("group_id", 64)
            : null;
        var table = routing.Current;
        var groups = table.Groups.Where(g => groupFilter is null || g.Key == groupFilter).ToList();
        if (groupFilter is not null && groups.Count == 0)
        {
            throw AdminProblem.NotFound($"group not found: {groupFilter}");
        }
        using var gate = new SemaphoreSlim(E2eConcurrency);
        var groupResults = await Task.WhenAll(groups.Select(async group =>
        {
            var results = await Task.WhenAll(table.RoutesOf(group.Key).Select(route => ProbeOneAsync(route, prober, gate, cancellationToken)));
            return new E2eGroupResult(group.Key, group.Value, results.Count(r => r.Ok), results.Length, results);
        }));
        var passed = groupResults.Sum(g => g.Passed);
        var total = groupResults.Sum(g => g.Total);
        var summary = $"{(passed == total ? "PASS" : "FAIL")} ({passed}/{total})";
        return TypedResults.Json(new E2eResponse(true, summary, groupResults), ProbeJsonContext.Default.E2eResponse);
    }

    private static async Task<E2eRouteResult> ProbeOneAsync(RouteEntry route, RouteProber prober, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var (target, result) = await prober.ProbeRouteAsync(route, cancellationToken);
            return new E2eRouteResult(route.Alias, target.Provider.ProviderId, target.Provider.Protocol.Name(), target.UpstreamModel,
                result.Ok, result.Status, result.LatencyMs, result.Message)
            { Key = result.Key };
        }
        finally
        {
            gate.Release();
        }
    }
}
