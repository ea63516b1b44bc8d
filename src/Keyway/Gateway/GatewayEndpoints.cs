namespace Keyway.Gateway;

public static class GatewayEndpoints
{
    public static IServiceCollection AddGateway(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", () => TypedResults.Ok(new HealthResponse(true, AppVersion.Current)));
        return endpoints;
    }
}
