using System.Runtime.CompilerServices;
using Keyway.Admin;
using Keyway.Configuration;
using Keyway.Gateway;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Telemetry;
using Keyway.Telemetry.Tracing;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Keyway;

/// <summary>The composition root: services, then the endpoint surfaces. No handler code lives here.</summary>
public static class KeywayApp
{
    private const string HostLogCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <param name="replaceServices">Runs after Keyway's registrations, so tests can swap a service (e.g. the TimeProvider).</param>
    public static WebApplication Build(KeywayOptions options, Action<IServiceCollection>? replaceServices = null)
    {
        // Content root is the app's own folder (wwwroot lives there), and configuration files are not watched: a
        // watcher on the working directory saw every SQLite WAL write under ./data and cost 12% of the CPU under load.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });

        // Kestrel on the configured address; port 0 picks a free one (tests). KEYWAY_METRICS_PORT adds a listener for /metrics.
        builder.WebHost.UseUrls(options.MetricsListenUrl is { } metricsUrl ? [options.ListenUrl, metricsUrl] : [options.ListenUrl]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            KestrelLimits.Apply(kestrel.Limits, options);
        });
        // Connections read into 32 KB blocks, not Kestrel's 4 KB: Claude Code's 100 KB requests in a few reads.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, ConnectionBufferPool.Factory>();
        // Kestrel's socket transport, choosing per connection whether its requests run on the I/O thread.
        builder.Services.RemoveAll<IConnectionListenerFactory>();
        builder.Services.AddSingleton<IConnectionListenerFactory, AdaptiveSocketTransport>();
        // A graceful stop (SIGTERM) lets requests in flight finish for up to the drain timeout (GatewayDrain ends those
        // still running then); new connections are refused. The host waits longer, for the request log's final flush.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        // Logging: console, level from KEYWAY_LOG_LEVEL.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(ToLogLevel(options.LogLevel));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Hosting starts an Activity for every request whenever this category is enabled at all, even though it only
        // logs request start/finish at Information: bench/run.sh --probe counted it in the bytes allocated per call.
        // Start-up failures still surface: StartAsync throws them to `keyway`, which prints them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // A start-up failure (Kestrel cannot bind) is thrown to `keyway serve`, which prints it as one line and exits 2;
        // the host would also log it to the console with its whole stack trace ("Hosting failed to start"). Until the
        // host has started, its category logs only Critical; afterwards a background service's fault is logged in full.
        var minimumLevel = ToLogLevel(options.LogLevel);
        var hostStarted = new StrongBox<bool>();
        builder.Logging.AddFilter(HostLogCategory, level => level >= minimumLevel && (hostStarted.Value || level >= LogLevel.Critical));

        // Configuration, secrets and storage.
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new SecretBox(options.Secret));
        builder.Services.AddKeywayStorage(options);
        builder.Services.AddTelemetry();
        builder.Services.AddKeywayTracing(options);

        // Browsers on KEYWAY_CORS_ORIGINS may call the API (with credentials, for the admin session); no origin otherwise.
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
            policy.WithOrigins([.. options.CorsOrigins]).AllowAnyMethod().AllowAnyHeader().AllowCredentials()));

        // The data plane, the admin plane and the admin UI.
        builder.Services.AddGateway();
        builder.Services.AddAdmin();
        replaceServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() => hostStarted.Value = true);
        var drain = app.Services.GetRequiredService<GatewayDrain>();
        app.Lifetime.ApplicationStopping.Register(() => drain.Begin(options.DrainTimeout));
        app.Services.StartKeywayTracing(options);
        UseForwardedHeadersFromTrustedProxies(app, options);
        app.UseIoThreadGuard();
        UseCorsBoundOnce(app);
        UseWebSocketsForUpgrades(app);
        app.MapGateway();
        app.MapAdmin();
        app.MapAdminUi();
        app.MapMetrics();
        return app;
    }

    /// <summary>
    /// The framework's CORS middleware, bound to its services once. <c>UseCors()</c> would call its
    /// <c>Invoke(HttpContext, ICorsPolicyProvider)</c> through reflection in the Native AOT build, for every request:
    /// ~2.7% of the CPU at 32 connections (bench/RESULTS.md, 2026-12-03 13:40–15:05). A request without an Origin
    /// header (every SDK and CLI call) goes straight on: the middleware would only mark it in <c>HttpContext.Items</c>,
    /// which is checked solely for endpoints carrying CORS metadata (Keyway has none), at the cost of a dictionary per call.
    /// </summary>
    private static void UseCorsBoundOnce(WebApplication app)
    {
        var corsService = app.Services.GetRequiredService<ICorsService>();
        var policyProvider = app.Services.GetRequiredService<ICorsPolicyProvider>();
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        app.Use(next =>
        {
            var cors = new CorsMiddleware(next, corsService, loggerFactory);
            return context => context.Request.Headers.ContainsKey(HeaderNames.Origin) ? cors.Invoke(context, policyProvider) : next(context);
        });
    }

    /// <summary>
    /// Behind a proxy of KEYWAY_TRUSTED_PROXIES, the connection's remote address (the admin-login throttle's key), the
    /// request's scheme and host (the admin origin check, app_base_url, the cookie's Secure flag) become the ones it
    /// forwards: the right-most X-Forwarded-For entry that is not itself a trusted proxy, so a client cannot choose its
    /// address by sending one. The framework's defaults would trust loopback; they are cleared. Built by hand as
    /// <see cref="UseCorsBoundOnce"/> is, and not at all without trusted proxies (an empty list would trust everyone).
    /// </summary>
    private static void UseForwardedHeadersFromTrustedProxies(WebApplication app, KeywayOptions options)
    {
        if (options.TrustedProxies.Count == 0)
        {
            return;
        }
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.All, ForwardLimit = null };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var network in options.TrustedProxies)
        {
            forwarded.KnownIPNetworks.Add(network);
        }
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        app.Use(next => new ForwardedHeadersMiddleware(next, loggerFactory, Options.Create(forwarded)).Invoke);
    }

    /// <summary>
    /// The WebSocket middleware, for the requests that can be an upgrade: a WebSocket handshake is a GET (HTTP/1.1) or
    /// an extended CONNECT (HTTP/2). For any other request it would still allocate a handshake feature and set it on
    /// the connection's feature collection, ~0.7% of the CPU of a proxied POST (bench/RESULTS.md, 2026-12-03 19:15).
    /// </summary>
    private static void UseWebSocketsForUpgrades(WebApplication app) =>
        app.UseWhen(context => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsConnect(context.Request.Method), upgrades => upgrades.UseWebSockets());

    private static LogLevel ToLogLevel(string level) => level switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        _ => LogLevel.Information,
    };
}
