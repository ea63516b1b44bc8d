using System.Text.Json;
using Keyway.Gateway;
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

    private static async Task<IResult> TestAsync(HttpContext context, RoutingTableHolder routing, RouteProber prober, CancellationToken cancellationToken)
    {
        var request = await ReadAsync(context, ProbeJsonContext.Default.ProbeTestRequest, cancellationToken);
        if (request is null)
        {
            return AdminProblem.BadRequest("Invalid JSON body");
        }
        var table = routing.Current;
        UpstreamProvider provider;
        string upstreamModel;
        if (!string.IsNullOrEmpty(request.ProviderId))
        {
            if (!table.TryGetProvider(request.ProviderId, out provider))
            {
                return AdminProblem.NotFound($"provider not found: {request.ProviderId}");
            }
            var route = table.RoutesOf(provider.GroupId).FirstOrDefault(r => r.Provider.ProviderId == provider.ProviderId);
            if (route is null)
            {
                return AdminProblem.BadRequest($"provider '{provider.ProviderId}' has no route: add a route under it to test a chat call", "provider_id");
            }
            upstreamModel = route.UpstreamModel;
        }
        else if (!string.IsNullOrEmpty(request.Alias))
        {
            var groupId = request.GroupId ?? "default";
            if (!table.TryGetRoute(groupId, request.Alias, out var route))
            {
                return AdminProblem.NotFound($"model '{request.Alias}' not found in group '{groupId}'");
            }
            (provider, upstreamModel) = (route.Provider, route.UpstreamModel);
        }
        else
        {
            return AdminProblem.BadRequest("give provider_id, or alias and group_id", "provider_id");
        }
        var result = await prober.ProbeAsync(provider, upstreamModel, cancellationToken);
        return TypedResults.Json(new ProbeTestResponse(true, result), ProbeJsonContext.Default.ProbeTestResponse);
    }

    private static async Task<IResult> EndToEndAsync(HttpContext context, RoutingTableHolder routing, RouteProber prober, CancellationToken cancellationToken)
    {
        var request = context.Request.ContentLength is > 0
            ? await ReadAsync(context, ProbeJsonContext.Default.ProbeE2eRequest, cancellationToken)
            : new ProbeE2eRequest(null);
        if (request is null)
        {
            return AdminProblem.BadRequest("Invalid JSON body");
        }
        var table = routing.Current;
        var groups = table.Groups.Where(g => request.GroupId is null || g.Key == request.GroupId).ToList();
        if (request.GroupId is not null && groups.Count == 0)
        {
            return AdminProblem.NotFound($"group not found: {request.GroupId}");
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
            var result = await prober.ProbeAsync(route.Provider, route.UpstreamModel, cancellationToken);
            return new E2eRouteResult(route.Alias, route.Provider.ProviderId, route.Provider.Protocol.Name(), route.UpstreamModel,
                result.Ok, result.Status, result.LatencyMs, result.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, typeInfo, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
