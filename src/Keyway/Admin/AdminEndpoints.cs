namespace Keyway.Admin;

public static class AdminEndpoints
{
    public static IServiceCollection AddAdmin(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/admin").MapRequestLogAdmin();
        return endpoints;
    }
}
