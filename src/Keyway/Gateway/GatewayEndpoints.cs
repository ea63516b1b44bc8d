using Keyway.Configuration;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// The data plane's surfaces. Every path is also served without the /v1 prefix, for clients whose
/// base URL already ends in /v1 but who append the full path (and vice versa).
/// </summary>
public static class GatewayEndpoints
{
    public static IServiceCollection AddGateway(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));
        services.AddSingleton<RoutingTableHolder>();
        services.AddSingleton<Storage.IConfigurationChangeSink>(provider => provider.GetRequiredService<RoutingTableHolder>());
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<Tools.TavilyClient>();
        services.AddSingleton<CooldownBook>();
        services.AddSingleton<KeyHealthReset>();
        services.AddSingleton<UpstreamKeyInFlight>();
        services.AddSingleton<KeyRateWindows>();
        services.AddSingleton<KeyPolicyGate>();
        services.AddSingleton<StoredResponses>();
        services.AddSingleton<GatewayDrain>();
        services.AddSingleton<KeyAuthenticator>();
        services.AddSingleton<ProxyForwarder>();
        services.AddSingleton<ResponsesWebSocketRelay>();
        services.AddSingleton<IssuedKeySockets>();
        services.AddSingleton<RouteProber>();
        services.AddSingleton<GatewayReadiness>();

        // Key health: persisted in the background, quarantined keys probed in the background.
        services.AddSingleton<CooldownStore>();
        services.AddHostedService(provider => provider.GetRequiredService<CooldownStore>());
        services.AddSingleton<QuarantineProber>();
        services.AddHostedService(provider => provider.GetRequiredService<QuarantineProber>());
        services.AddHostedService<KeyHealthSync>();

        // Stored Responses turns: expired ones deleted in the background.
        services.AddSingleton<StoredResponseRetentionService>();
        services.AddHostedService(provider => provider.GetRequiredService<StoredResponseRetentionService>());
        return services;
    }

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        // Every GET endpoint answers HEAD as GET, without the body (Kestrel drops it); any other method is MethodNotAllowed's 405.
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        endpoints.MapMethods("/health", read, () => TypedResults.Ok(new HealthResponse(true, AppVersion.Current)));
        // Liveness: the process answers. Readiness: it can route (503 when not); "degraded" while it serves but cannot write.
        endpoints.MapMethods("/health/live", read, () => TypedResults.Ok(new HealthResponse(true, AppVersion.Current)));
        endpoints.MapMethods("/health/ready", read, async (GatewayReadiness readiness, CancellationToken cancellationToken) =>
        {
            var report = await readiness.CheckAsync(cancellationToken);
            return TypedResults.Json(report, GatewayJsonContext.Default.ReadinessReport, statusCode: report.Ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        foreach (var health in (string[])["/health", "/health/live", "/health/ready"])
        {
            endpoints.MapOtherMethods(health, "GET, HEAD", ClientProtocol.OpenAIChat);
        }
        // Claude Code checks reachability with HEAD / before its first call; answered without auth like /health (GET / is the admin UI).
        endpoints.MapMethods("/", [HttpMethods.Head], () => TypedResults.Ok(new HealthResponse(true, AppVersion.Current)));
        // Resolved once: reaching for it through HttpContext.RequestServices created a DI scope for every call.
        var gateway = new Lazy<ProxyForwarder>(endpoints.ServiceProvider.GetRequiredService<ProxyForwarder>);
        MapPost(endpoints, gateway, "/v1/chat/completions", (forwarder, context) => forwarder.ForwardChatAsync(context, ClientProtocol.OpenAIChat));
        MapPost(endpoints, gateway, "/v1/messages", (forwarder, context) => forwarder.ForwardChatAsync(context, ClientProtocol.AnthropicMessages),
            ClientProtocol.AnthropicMessages);
        MapPost(endpoints, gateway, "/v1/responses", (forwarder, context) => forwarder.ForwardChatAsync(context, ClientProtocol.OpenAIResponses),
            ClientProtocol.OpenAIResponses, allow: "GET, POST");
        MapPost(endpoints, gateway, "/v1/responses/compact", (forwarder, context) => forwarder.ForwardCompactAsync(context), ClientProtocol.OpenAIResponses);
        MapPost(endpoints, gateway, "/v1/messages/count_tokens", (forwarder, context) => forwarder.CountTokensAsync(context),
            ClientProtocol.AnthropicMessages);
        MapPost(endpoints, gateway, "/v1/messages/evaluate_safeguards", (forwarder, context) => forwarder.EvaluateSafeguardsAsync(context),
            ClientProtocol.AnthropicMessages);
        MapPost(endpoints, gateway, "/v1/generations", (forwarder, context) => forwarder.ForwardGenerationAsync(context));
        foreach (var surface in PassThroughSurface.Json)
        {
            MapPost(endpoints, gateway, "/v1/" + surface.Path, (forwarder, context) => forwarder.ForwardPassThroughAsync(context, surface));
        }
        foreach (var surface in PassThroughSurface.Multipart)
        {
            MapPost(endpoints, gateway, "/v1/" + surface.Path, (forwarder, context) => forwarder.ForwardMultipartAsync(context, surface));
        }
        // The Responses WebSocket mode: GET with an upgrade, relayed to a provider flagged `websocket`.
        RequestDelegate relayWebSocket = context => context.RequestServices.GetRequiredService<ResponsesWebSocketRelay>().RelayAsync(context);
        endpoints.MapGet("/v1/responses", relayWebSocket);
        endpoints.MapGet("/responses", relayWebSocket);
        endpoints.MapModels();
        endpoints.MapStoredResponses(gateway);
        MapGenericPaths(endpoints, gateway);
        return endpoints;
    }

    /// <summary>
    /// Any other /v1/{path}: a write whose JSON body names a model goes to the same path upstream; any other method (GET,
    /// HEAD, OPTIONS…) is OpenAI's 404. Only under /v1, so the admin API and UI keep their own unknown-path answers.
    /// </summary>
    private static void MapGenericPaths(IEndpointRouteBuilder endpoints, Lazy<ProxyForwarder> forwarder)
    {
        endpoints.MapMethods("/v1/{**path}", [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete], context =>
            forwarder.Value.ForwardPassThroughAsync(context, PassThroughSurface.Generic));
        endpoints.Map("/v1/{**path}", context => ProtocolErrorWriter.WriteAsync(
            context, ClientProtocol.OpenAIChat, StatusCodes.Status404NotFound, GatewayMessages.UnknownPath(context.Request.Method, context.Request.Path), "unknown_url"));
    }

    /// <summary>POST on the path and on its unprefixed twin; any method but <paramref name="allow"/> is a 405 in <paramref name="protocol"/>.</summary>
    private static void MapPost(IEndpointRouteBuilder endpoints, Lazy<ProxyForwarder> forwarder, string path, Func<ProxyForwarder, HttpContext, Task> handler,
        ClientProtocol protocol = ClientProtocol.OpenAIChat, string allow = "POST")
    {
        RequestDelegate handle = context => handler(forwarder.Value, context);
        foreach (var pattern in (string[])[path, path["/v1".Length..]])
        {
            endpoints.MapPost(pattern, handle).WithMetadata(IoThreadGuard.NonBlocking);
            endpoints.MapOtherMethods(pattern, allow, protocol);
        }
    }
}
