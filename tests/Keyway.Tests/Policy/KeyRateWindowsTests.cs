using Keyway.Gateway;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
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
        var (first, second) = await InstancesAsync(database, clock);

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
        var (first, second) = await InstancesAsync(database, clock);

        Assert.True(first.For("k1").TryEnter(1, clock.GetUtcNow()));
        await first.SyncAsync(CancellationToken.None);
        await second.SyncAsync(CancellationToken.None);

        Assert.False(second.For("k1").TryEnter(1, clock.GetUtcNow()));
        // The first instance stops publishing (it died): after InFlightLifetime its place is free.
        clock.Advance(KeyRateWindows.InFlightLifetime);
        Assert.True(second.For("k1").TryEnter(1, clock.GetUtcNow()));
    }

    private static async Task<(KeyRateWindows First, KeyRateWindows Second)> InstancesAsync(TestDatabase database, TimeProvider clock) =>
        ((await ExchangeInstance.StartAsync(database.Connections, clock)).Windows, (await ExchangeInstance.StartAsync(database.Connections, clock)).Windows);
}
