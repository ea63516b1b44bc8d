using Keyway.Configuration;
using Keyway.Telemetry.Metrics;

namespace Keyway.Admin;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format. By default on the main port behind the admin token or session;
/// with KEYWAY_METRICS_PORT only on that port (a separate loopback listener by default), unauthenticated, and that port
/// serves nothing else.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static WebApplication MapMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<KeywayOptions>();
        // Resolved now, not on the first scrape: measurements count from the first request on.
        var collector = app.Services.GetRequiredService<MetricsCollector>();
        IResult Scrape() => TypedResults.Text(collector.Scrape(), PrometheusText.ContentType);

        if (options.MetricsPort is not { } port)
        {
            app.MapGet(Path, Scrape).AddEndpointFilter(AdminAuthFilter.Create(app.Services));
            return app;
        }
        // The port is told by the connection, never by the Host header, which a client on the main port could forge.
        app.Use((context, next) => context.Connection.LocalPort == port && context.Request.Path != Path
            ? WriteNotFoundAsync(context)
            : next(context));
        app.MapGet(Path, (HttpContext context) => context.Connection.LocalPort == port ? Scrape() : TypedResults.NotFound());
        return app;
    }

    private static Task WriteNotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
