using Keyway.Configuration;
using Keyway.Gateway;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Policy;

/// <summary>
/// Instances sharing one database exchange their keys' rate windows through key_rate_windows: after an exchange each
/// counts the others' requests in the running window (and joins it), and their requests in flight while the rows are fresh.
/// </summary>
public sealed class KeyRateWindowsTests
{
    [Fact]
    public async Task SecondInstance_CountsAndJoinsTheFirstOnesWindow_AfterTheyHaveSynced()
    {
        using var dir = new TempDirectory();
        await using var database = await TestDatabase.OpenAsync(dir, "k1");
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        var (first, second) = Instances(database, clock);

        Assert.Equal(RateRefusal.None, first.For("k1").TryCount(3, null, clock.GetUtcNow()).Refused);
        Assert.Equal(RateRefusal.None, first.For("k1").TryCount(3, null, clock.GetUtcNow()).Refused);
        Assert.Equal(1, second.For("k1").TryCount(3, null, clock.GetUtcNow()).Requests);
        await first.SyncAsync(CancellationToken.None);
        await second.SyncAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(59));

        var onSecond = second.For("k1").TryCount(3, null, clock.GetUtcNow());
        Assert.Equal(new RateState(RateRefusal.Requests, 3, 0, KeyPolicyBed.Start + KeyRateWindow.Length), onSecond);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new RateState(RateRefusal.None, 1, 0, clock.GetUtcNow() + KeyRateWindow.Length), second.For("k1").TryCount(3, null, clock.GetUtcNow()));
    }

    [Fact]
    public async Task RequestsInFlight_OfAnotherInstance_CountWhileItsRowIsFresh()
    {
        using var dir = new TempDirectory();
        await using var database = await TestDatabase.OpenAsync(dir, "k1");
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        var (first, second) = Instances(database, clock);

        Assert.True(first.For("k1").TryEnter(1, clock.GetUtcNow()));
        await first.SyncAsync(CancellationToken.None);
        await second.SyncAsync(CancellationToken.None);

        Assert.False(second.For("k1").TryEnter(1, clock.GetUtcNow()));
        // The first instance stops publishing (it died): after InFlightLifetime its place is free.
        clock.Advance(KeyRateWindows.InFlightLifetime);
        Assert.True(second.For("k1").TryEnter(1, clock.GetUtcNow()));
    }

    private static (KeyRateWindows First, KeyRateWindows Second) Instances(TestDatabase database, TimeProvider clock)
    {
        var repository = new KeyRateWindowRepository(database.Connections);
        return (new KeyRateWindows(repository, UpstreamKeys(database.Connections, clock), clock),
            new KeyRateWindows(repository, UpstreamKeys(database.Connections, clock), clock));
    }

    /// <summary>An instance's upstream keys as before its routing table is first loaded: none to exchange.</summary>
    private static UpstreamKeyInFlight UpstreamKeys(IDbConnectionFactory connections, TimeProvider clock)
    {
        var snapshot = new ConfigurationSnapshotReader(
            new GroupRepository(connections), new ProviderRepository(connections), new RouteRepository(connections), new IssuedKeyRepository(connections),
            new ToolProviderRepository(connections), new RouteProviderRepository(connections), new UnifiedModelRepository(connections));
        var options = new KeywayOptions { Secret = "a-secret-of-sufficient-length", AdminToken = "t", DataDir = "unused" };
        return new UpstreamKeyInFlight(new CooldownBook(clock), new RoutingTableHolder(snapshot, new SecretBox(options.Secret), options), connections);
    }
}
