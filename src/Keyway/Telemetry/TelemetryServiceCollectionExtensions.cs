using Keyway.Gateway;
using Keyway.Storage;
using Keyway.Telemetry.Metrics;
using Keyway.Upstreams;

namespace Keyway.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The request-log pipeline, stats, retention, key last-used tracking and the metrics. Call before the web
    /// host is built: hosted services registered here stop after Kestrel has drained its requests,
    /// so the writer's final drain sees every entry.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<KeywayMetrics>();
        services.AddSingleton(provider =>
        {
            var metrics = provider.GetRequiredService<KeywayMetrics>();
            GatewayGauges.Register(metrics, provider.GetRequiredService<RequestLogQueue>(), provider.GetRequiredService<RequestLogStatus>(),
                provider.GetRequiredService<CooldownBook>(), provider.GetRequiredService<RoutingTableHolder>());
            return new MetricsCollector(metrics);
        });
        services.AddSingleton<RequestLogStatus>();
        services.AddSingleton<DatabaseWriteHealth>();
        services.AddSingleton<RequestLogQueue>();
        services.AddSingleton<RequestLogRepository>();
        services.AddSingleton<RequestLogStatsRepository>();
        services.AddSingleton<Keyway.Admin.SingleFlight<string, RequestStatsResponse>>();
        services.AddSingleton<Keyway.Admin.SingleFlight<string, StatsSeriesResponse>>();
        services.AddSingleton<KeyLastUsedRepository>();
        services.AddSingleton<KeyUsageTracker>();
        services.AddSingleton<ToolUsageTracker>();
        services.AddSingleton<RequestLogWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<RequestLogWriter>());
        services.AddSingleton<KeyUsageFlushService>();
        services.AddHostedService(provider => provider.GetRequiredService<KeyUsageFlushService>());
        services.AddSingleton<KeyUsageCounters>();
        services.AddSingleton<KeyUsageSyncService>();
        services.AddHostedService(provider => provider.GetRequiredService<KeyUsageSyncService>());
        services.AddSingleton<LogRetentionService>();
        services.AddHostedService(provider => provider.GetRequiredService<LogRetentionService>());
        return services;
    }
}
