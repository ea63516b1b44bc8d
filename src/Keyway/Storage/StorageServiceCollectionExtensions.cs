using Keyway.Configuration;

namespace Keyway.Storage;

public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddKeywayStorage(this IServiceCollection services, KeywayOptions options)
    {
        // Created by the container so it is disposed with it (the PostgreSQL data source closes its pool).
        if (options.DatabaseUrl is { } url)
        {
            services.AddSingleton(_ => new PostgresConnectionFactory(url));
            services.AddSingleton<IDbConnectionFactory>(provider => provider.GetRequiredService<PostgresConnectionFactory>());
            // Scale-out: configuration written by any instance reaches this one's snapshot.
            services.AddHostedService<ConfigurationVersionWatcher>();
        }
        else
        {
            services.AddSingleton<IDbConnectionFactory>(_ => new SqliteConnectionFactory(options.DatabasePath));
        }
        services.AddSingleton(provider => new ConfigurationFreshness(provider.GetRequiredService<TimeProvider>(), options.ConfigurationStaleAfter));
        services.AddSingleton(InstanceIdentity.For(options));
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<DatabaseInitializer>();

        // Repositories: stateless, one per aggregate.
        services.AddSingleton<GroupRepository>();
        services.AddSingleton<ProviderRepository>();
        services.AddSingleton<KeyPoolRepository>();
        services.AddSingleton<RouteRepository>();
        services.AddSingleton<IssuedKeyRepository>();
        services.AddSingleton<ToolProviderRepository>();
        services.AddSingleton<AdminSessionRepository>();
        services.AddSingleton<RouteProviderRepository>();
        services.AddSingleton<UnifiedModelRepository>();
        services.AddSingleton<KeyHealthRepository>();
        services.AddSingleton<KeyProbeClaims>();
        services.AddSingleton<KeyUsageRepository>();
        services.AddSingleton<KeyRateWindowRepository>();
        services.AddSingleton<StoredResponseRepository>();
        services.AddSingleton<ConfigurationSnapshotReader>();
        return services;
    }
}
