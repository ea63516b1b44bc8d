using Keyway.Configuration;
using Keyway.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Keyway;

/// <summary>What a person needs after `keyway` starts: where the admin UI is and how to log in.</summary>
public static class StartupBanner
{
    public static void Print(WebApplication app, KeywayOptions options)
    {
        var address = ListeningAddress(app) ?? $"http://{options.Host}:{options.Port}";
        var baseUrl = options.PublicBaseUrl ?? address;
        Console.WriteLine($"Keyway {AppVersion.Current} listening on {address}");
        Console.WriteLine($"  admin UI:    {baseUrl}/");
        Console.WriteLine($"  admin token: {options.AdminToken}{(options.AdminTokenGenerated ? "  (generated, kept in " + Path.Combine(options.DataDir, KeywayOptionsLoader.AdminTokenFileName) + ")" : "")}");
        Console.WriteLine($"  database:    {(options.DatabaseUrl is { } url ? PostgresConnectionString.Describe(url) : options.DatabasePath)}");
        if (options.SecretGenerated)
        {
            Console.WriteLine($"  KEYWAY_SECRET was not set: generated one and stored it in {Path.Combine(options.DataDir, KeywayOptionsLoader.SecretFileName)} (mode 0600). Back it up: without it the stored keys cannot be decrypted.");
        }
    }

    public static string? ListeningAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
}
