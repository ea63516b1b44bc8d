using Keyway.Configuration;

namespace Keyway.Storage;

public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddKeywayStorage(this IServiceCollection services, KeywayOptions options)
    {
        // Created by the container so it is disposed with it (the PostgreSQL data source closes its pool).
        services.AddSingleton<IDbConnectionFactory>(_ => options.DatabaseUrl is { } url
            ? new PostgresConnectionFactory(url)
            : new SqliteConnectionFactory(options.DatabasePath));
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<DatabaseInitializer>();

        // Repositories: stateless, one per aggregate.
        services.AddSingleton<GroupRepository>();
        services.AddSingleton<ProviderRepository>();
        services.AddSingleton<RouteRepository>();
        services.AddSingleton<IssuedKeyRepository>();
        services.AddSingleton<ToolProviderRepository>();
        services.AddSingleton<AdminSessionRepository>();
        services.AddSingleton<RouteProviderRepository>();
        services.AddSingleton<UnifiedModelRepository>();
        services.AddSingleton<KeyHealthRepository>();
        services.AddSingleton<KeyUsageRepository>();
        services.AddSingleton<ConfigurationSnapshotReader>();
        return services;
    }
}
