using Keyway.Admin;
using Keyway.Configuration;
using Keyway.Security;
using Keyway.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Keyway;

/// <summary>What a person needs after `keyway` starts: where the admin UI and the metrics are, and how to log in.</summary>
public static class StartupBanner
{
    public static void Print(WebApplication app, KeywayOptions options)
    {
        var address = ListeningAddress(app) ?? options.ListenUrl;
        var baseUrl = options.PublicBaseUrl ?? address;
        Console.WriteLine($"Keyway {AppVersion.Current} listening on {address}");
        Console.WriteLine($"  admin UI:    {baseUrl}/");
        Console.WriteLine($"  admin token: {AdminTokenLine(options)}");
        Console.WriteLine($"  metrics:     {MetricsLine(options, baseUrl)}");
        Console.WriteLine($"  database:    {(options.DatabaseUrl is { } url ? PostgresConnectionString.Describe(url) : options.DatabasePath)}");
        if (AdminTokenWarning(options) is { } warning)
        {
            Console.Error.WriteLine(warning);
        }
        if (options.LocalClientsKey is { } localClients)
        {
            var key = app.Services.GetRequiredService<Gateway.RoutingTableHolder>().Current.LocalClientsKey;
            Console.WriteLine(key is null
                ? $"  WARNING: KEYWAY_LOCAL_CLIENTS_KEY={localClients} names no enabled issued key (its id, or GROUP/NAME): requests without a key are refused"
                : $"  local clients: requests from this machine without a valid key are served as issued key {key.KeyId} of group {key.GroupId} (KEYWAY_LOCAL_CLIENTS_KEY)");
        }
        if (options.SecretGenerated)
        {
            Console.WriteLine(GeneratedSecretLine(options));
        }
    }

    /// <summary>The start that generated KEYWAY_SECRET says where it is kept and that it needs a backup (never the secret).</summary>
    public static string GeneratedSecretLine(KeywayOptions options) =>
        $"  KEYWAY_SECRET was not set: generated one and stored it in {Path.Combine(options.DataDir, KeywayOptionsLoader.SecretFileName)} (mode 0600). Back it up: without it the stored keys cannot be decrypted.";

    /// <summary>
    /// The token itself only on the start that generated it, when a person is there to copy it; afterwards where it is
    /// kept, because this output also goes to journals and `serve --detach`'s log file.
    /// </summary>
    public static string AdminTokenLine(KeywayOptions options)
    {
        var file = Path.Combine(options.DataDir, KeywayOptionsLoader.AdminTokenFileName);
        return options.AdminTokenGenerated ? $"{options.AdminToken}  (generated, kept in {file})"
            : options.AdminTokenFromEnvironment ? "from KEYWAY_ADMIN_TOKEN"
            : $"in {file}";
    }

    /// <summary>
    /// With KEYWAY_METRICS_PORT the port's own address (the port is never 0, so the configured one is the bound one),
    /// where a scraper needs no token; otherwise the main address, behind the admin token.
    /// </summary>
    private static string MetricsLine(KeywayOptions options, string baseUrl) => options.MetricsListenUrl is { } metricsUrl
        ? metricsUrl + MetricsEndpoint.Path
        : $"{baseUrl}{MetricsEndpoint.Path} (admin token)";

    /// <summary>
    /// A warning for an admin token under <see cref="SecretMask.ShortBelow"/> characters, else null. Such a token is
    /// still taken, since deployments run with one, but it is the one secret between the network and every upstream key.
    /// </summary>
    public static string? AdminTokenWarning(KeywayOptions options) => options.AdminToken.Length >= SecretMask.ShortBelow
        ? null
        : $"WARNING: {(options.AdminTokenFromEnvironment ? "KEYWAY_ADMIN_TOKEN" : Path.Combine(options.DataDir, KeywayOptionsLoader.AdminTokenFileName))} "
          + $"is {options.AdminToken.Length} character{(options.AdminToken.Length == 1 ? "" : "s")} long: anyone who can reach the admin API may guess it. "
          + $"Use at least {SecretMask.ShortBelow} random characters (delete data/admin.token and unset KEYWAY_ADMIN_TOKEN to have one generated).";

    public static string? ListeningAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
}
