using Keyway.Configuration;

namespace Keyway.Storage;

public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddKeywayStorage(this IServiceCollection services, KeywayOptions options)
    {
        services.AddSingleton<IDbConnectionFactory>(new SqliteConnectionFactory(options.DatabasePath));
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<DatabaseInitializer>();
        return services;
    }
}
