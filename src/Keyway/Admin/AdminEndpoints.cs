using Keyway.Configuration;

namespace Keyway.Admin;

/// <summary>
/// The admin plane. <see cref="MapAdmin"/> builds the authenticated "/admin" group and hands it to one
/// Map…Admin method per resource file; other surfaces (request logs, stats) add theirs the same way.
/// </summary>
public static class AdminEndpoints
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminLoginThrottle>();
        services.AddSingleton<AdminSessions>();
        services.AddSingleton<ConfigurationChangeNotifier>();
        return services;
    }

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        // Filters are built here rather than with AddEndpointFilter<T>(), whose activator compiles an
        // expression tree: that alone loaded System.Linq.Expressions and cost ~2.5 MB of idle RSS (issue 8).
        var services = endpoints.ServiceProvider;

        // Every /admin endpoint answers failures as {"detail":…}; login and logout need no authentication.
        var options = services.GetRequiredService<KeywayOptions>();
        var admin = endpoints.MapGroup("/admin")
            .AddEndpointFilter(new AdminProblemFilter(services.GetRequiredService<ILogger<AdminProblemFilter>>(), options.AdminDatabaseTimeout));
        if (options.TrustedProxies.Count == 0)
        {
            admin.AddEndpointFilter(new UntrustedProxyWarning(services.GetRequiredService<ILogger<UntrustedProxyWarning>>()));
        }
        admin.MapSessionPublicAdmin();

        // Everything else requires the admin token or a session.
        var authenticated = admin.MapGroup("").AddEndpointFilter(AdminAuthFilter.Create(services));
        authenticated.MapSessionAdmin();
        authenticated.MapGroupsAdmin();
        authenticated.MapProvidersAdmin();
        authenticated.MapUpstreamKeysAdmin();
        authenticated.MapKeyPoolOrderAdmin();
        authenticated.MapRoutesAdmin();
        authenticated.MapRouteProvidersAdmin();
        authenticated.MapUnifiedModelAdmin();
        authenticated.MapHealthAdmin();
        authenticated.MapIssuedKeysAdmin();
        authenticated.MapKeyUsageAdmin();
        authenticated.MapToolProvidersAdmin();
        authenticated.MapRequestLogAdmin();
        authenticated.MapProbeAdmin();

        // Unknown admin paths (or methods) get a JSON 404 instead of an empty page.
        admin.Map("/{**path}", () => AdminErrors.Result(StatusCodes.Status404NotFound, "Not Found"));
        return endpoints;
    }
}
