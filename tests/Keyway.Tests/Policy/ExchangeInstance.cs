using Keyway.Configuration;
using Keyway.Gateway;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Upstreams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyway.Tests.Policy;

/// <summary>
/// One instance's side of the key_rate_windows exchange, without a server: its issued keys' windows, its upstream keys'
/// health and the routing table it reads from the database (loaded once, at the start).
/// </summary>
internal sealed class ExchangeInstance(KeyRateWindows windows, CooldownBook book, RoutingTableHolder routing)
{
    public static readonly SecretBox Secrets = new("a-secret-of-sufficient-length");

    public KeyRateWindows Windows { get; } = windows;

    public static async Task<ExchangeInstance> StartAsync(IDbConnectionFactory connections, TimeProvider clock)
    {
        var snapshot = new ConfigurationSnapshotReader(
            new GroupRepository(connections), new ProviderRepository(connections), new RouteRepository(connections), new IssuedKeyRepository(connections),
            new ToolProviderRepository(connections), new RouteProviderRepository(connections), new UnifiedModelRepository(connections));
        var routing = new RoutingTableHolder(snapshot, Secrets, new KeywayOptions { Secret = "unused", AdminToken = "unused", DataDir = "unused" },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RoutingTableHolder>.Instance);
        await routing.ReloadAsync(CancellationToken.None);
        var book = new CooldownBook(clock, NullLogger<CooldownBook>.Instance);
        var windows = new KeyRateWindows(new KeyRateWindowRepository(connections), new UpstreamKeyInFlight(book, routing, connections), clock);
        return new ExchangeInstance(windows, book, routing);
    }

    /// <summary>The health of upstream key <paramref name="keyId"/> of provider <paramref name="providerId"/> on this instance.</summary>
    public KeyHealth Health(string providerId, string keyId)
    {
        Assert.True(routing.Current.TryGetProvider(providerId, out var provider));
        return book.For(provider.Keys.Single(key => key.KeyId == keyId), provider);
    }
}
