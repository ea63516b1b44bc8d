using Keyway.Storage;

namespace Keyway.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The request-log pipeline, stats, retention and key last-used tracking. Call before the web
    /// host is built: hosted services registered here stop after Kestrel has drained its requests,
    /// so the writer's final drain sees every entry.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<RequestLogStatus>();
        services.AddSingleton<DatabaseWriteHealth>();
        services.AddSingleton<RequestLogQueue>();
        services.AddSingleton<RequestLogRepository>();
        services.AddSingleton<RequestLogStatsRepository>();
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
