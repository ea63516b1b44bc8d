using Keyway.Gateway;
using Keyway.Storage;

namespace Keyway;

public static class KeywayStartup
{
    /// <summary>Prepares the database and the first routing snapshot; throws <see cref="StartupRefusedException"/> with a user-facing reason.</summary>
    public static async Task InitializeKeywayAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        await app.Services.GetRequiredService<RoutingTableHolder>().ReloadAsync(cancellationToken);
        await app.Services.GetRequiredService<Upstreams.CooldownStore>().LoadAsync(cancellationToken);
    }
}
