using Dapper;
using Keyway.Gateway;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Policy;

/// <summary>
/// Capped upstream keys' requests in flight in the key_rate_windows exchange of two instances on one PostgreSQL database:
/// each counts what the other last published while that row is fresh; a key without a cap is never published.
/// </summary>
public sealed class UpstreamKeyInFlightTests
{
    private const string Capped = "k-capped";
    private const string Uncapped = "k-uncapped";

    [PostgresFact]
    public async Task ACappedKeysRequestsInFlight_CountOnTheOtherInstance_UntilTheyEnd()
    {
        using var dir = new TempDirectory();
        var (database, clock, first, second) = await StartAsync(dir);
        await using var _ = database;
        Assert.True(first.Health("p", Capped).TryEnter(2));
        Assert.True(first.Health("p", Capped).TryEnter(2));
        Assert.True(first.Health("p", Uncapped).TryEnter(null));

        await ExchangeAsync(first, second);

        Assert.Equal(2, second.Health("p", Capped).OthersInFlight);
        Assert.True(second.Health("p", Capped).IsFull(2));
        Assert.Equal(0, second.Health("p", Uncapped).OthersInFlight);
        first.Health("p", Capped).Leave();
        await ExchangeAsync(first, second);
        Assert.Equal(1, second.Health("p", Capped).OthersInFlight);
        first.Health("p", Capped).Leave();
        await ExchangeAsync(first, second);
        Assert.Equal(0, second.Health("p", Capped).OthersInFlight);
    }

    [PostgresFact]
    public async Task AnInstancesRequestsInFlight_LapseInFlightLifetimeAfterItsLastWrite()
    {
        using var dir = new TempDirectory();
        var (database, clock, first, second) = await StartAsync(dir);
        await using var _ = database;
        Assert.True(first.Health("p", Capped).TryEnter(2));
        await ExchangeAsync(first, second);

        clock.Advance(KeyRateWindows.InFlightLifetime - TimeSpan.FromTicks(1));
        await second.Windows.SyncAsync(CancellationToken.None);
        Assert.Equal(1, second.Health("p", Capped).OthersInFlight);
        clock.Advance(TimeSpan.FromTicks(1));
        await second.Windows.SyncAsync(CancellationToken.None);
        Assert.Equal(0, second.Health("p", Capped).OthersInFlight);
    }

    private static async Task ExchangeAsync(ExchangeInstance first, ExchangeInstance second)
    {
        await first.Windows.SyncAsync(CancellationToken.None);
        await second.Windows.SyncAsync(CancellationToken.None);
    }

    /// <summary>Two instances on a database with provider p and its keys: <see cref="Capped"/> (max_concurrency 2) and <see cref="Uncapped"/>.</summary>
    private static async Task<(TestDatabase Database, FakeTimeProvider Clock, ExchangeInstance First, ExchangeInstance Second)> StartAsync(TempDirectory dir)
    {
        var database = await TestDatabase.OpenAsync(dir);
        await using (var connection = await database.Connections.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                "INSERT INTO groups (group_id, name, created_at, updated_at) VALUES ('g', 'g', @now, @now);" +
                "INSERT INTO providers (provider_id, group_id, name, base_url, protocol, created_at, updated_at) " +
                "VALUES ('p', 'g', 'p', 'http://127.0.0.1:1/v1', 'openai', @now, @now);" +
                "INSERT INTO provider_keys (key_id, provider_id, name, sealed_secret, max_concurrency, created_at) VALUES " +
                "(@capped, 'p', 'capped', @secret, 2, @now), (@uncapped, 'p', 'uncapped', @secret, NULL, @now)",
                new { now = StorageText.Timestamp(KeyPolicyBed.Start), capped = Capped, uncapped = Uncapped, secret = ExchangeInstance.Secrets.Seal("sk-p") });
        }
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        return (database, clock, await ExchangeInstance.StartAsync(database.Connections, clock), await ExchangeInstance.StartAsync(database.Connections, clock));
    }
}
