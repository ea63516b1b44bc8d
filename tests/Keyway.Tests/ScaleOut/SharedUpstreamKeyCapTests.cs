using System.Text.Json.Nodes;
using Keyway.Gateway;
using Keyway.Telemetry;
using Keyway.Tests.Gateway;
using Keyway.Tests.Hardening;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Policy;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// An upstream key's max_concurrency over two instances on one PostgreSQL database: each counts the requests the other
/// published in flight on the key at the last exchange, refuses or waits at the cap, hands a place the other frees to
/// its longest waiter, and frees the places of an instance that stopped publishing once its row is stale. The instances
/// share a fake clock that moves only when a test says so, so the exchange runs when a test calls it.
/// </summary>
public sealed class SharedUpstreamKeyCapTests
{
    private const string Provider = "fake";

    private static Task<TwoInstanceKeyBed> StartAsync(int keyWaitSeconds) => TwoInstanceKeyBed.StartAsync(new JsonObject(), new JsonObject
    {
        ["key_wait_seconds"] = keyWaitSeconds,
        ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = "sk-a", ["max_concurrency"] = 2 }),
    });

    /// <summary>Two requests on the first instance that the upstream holds until <c>release</c> completes, both in flight.</summary>
    private static async Task<(TaskCompletionSource Release, Task<int[]> Held)> HoldTwoOnTheFirstAsync(TwoInstanceKeyBed bed)
    {
        var release = new TaskCompletionSource();
        bed.Upstream.Enqueue(FakeReply.HoldUntil(release.Task), times: 2);
        var held = Task.WhenAll(KeyPolicyBed.ChatStatusAsync(bed.OnFirst), KeyPolicyBed.ChatStatusAsync(bed.OnFirst));
        await bed.Upstream.WaitForRequestsAsync(2);
        return (release, held);
    }

    /// <summary>Ends the held requests and waits until the first instance has given their places back.</summary>
    private static async Task EndAsync(TwoInstanceKeyBed bed, TaskCompletionSource release, Task<int[]> held)
    {
        release.SetResult();
        var statuses = await held;
        Assert.Equal([200, 200], statuses);
        await RequestLogOutageTests.WaitUntilAsync(() => Health(bed.First).InFlight == 0);
    }

    private static KeyHealth Health(KeywayServer server)
    {
        Assert.True(server.Services.GetRequiredService<RoutingTableHolder>().Current.TryGetProvider(Provider, out var provider));
        return server.Services.GetRequiredService<CooldownBook>().For(provider.Keys.Single(), provider);
    }

    private static int Waiting(KeywayServer server) => server.Services.GetRequiredService<CooldownBook>().CircuitOf(Provider).Waiting;

    [PostgresFact]
    public async Task TheCap_CountsTheOtherInstancesRequestsInFlight_AfterAnExchange()
    {
        await using var bed = await StartAsync(keyWaitSeconds: 0);
        var (release, held) = await HoldTwoOnTheFirstAsync(bed);

        await bed.ExchangeAsync();

        using (var refused = await KeyPolicyBed.ChatAsync(bed.OnSecond))
        {
            Assert.Equal("1", KeyPolicyBed.Header(refused, "Retry-After"));
            await GatewayErrorAssert.OpenAIAsync(refused, 429,
                "every upstream key for model 'gpt-alias' has all its max_concurrency requests in flight; retry after the Retry-After delay");
        }
        var health = await AdminApi.OkAsync(bed.Second.Admin, HttpMethod.Get, "admin/llm/health?group_id=default");
        var key = health.GetProperty("health")[0].GetProperty("keys")[0];
        Assert.Equal((0, 2), (key.GetProperty("in_flight").GetInt32(), key.GetProperty("in_flight_other_instances").GetInt32()));
        Assert.Equal(2, bed.Upstream.RequestCount);

        await EndAsync(bed, release, held);
        await bed.ExchangeAsync();
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(bed.OnSecond));
    }

    [PostgresFact]
    public async Task AWaiterOnTheOtherInstance_IsHandedThePlace_TheExchangeFinds()
    {
        await using var bed = await StartAsync(keyWaitSeconds: 30);
        var (release, held) = await HoldTwoOnTheFirstAsync(bed);
        await bed.ExchangeAsync();

        var waiter = KeyPolicyBed.ChatStatusAsync(bed.OnSecond);
        await RequestLogOutageTests.WaitUntilAsync(() => Waiting(bed.Second) == 1);
        await EndAsync(bed, release, held);
        Assert.Equal(2, bed.Upstream.RequestCount);

        // The clock never moved, so the waiter's own look each second never came: the exchange handed it the place.
        await bed.ExchangeAsync();
        Assert.Equal(200, await waiter);
        Assert.Equal(0, Waiting(bed.Second));
        Assert.Equal(3, bed.Upstream.RequestCount);
    }

    [PostgresFact]
    public async Task AnInstanceThatStopsPublishing_HoldsItsPlacesUntilItsRowIsStale()
    {
        await using var bed = await StartAsync(keyWaitSeconds: 0);
        var (release, held) = await HoldTwoOnTheFirstAsync(bed);
        await bed.ExchangeAsync();

        // The first instance's exchange stops (as if it crashed) after one last write, its requests still in flight.
        await bed.First.Services.GetRequiredService<KeyUsageSyncService>().StopAsync(CancellationToken.None);
        bed.Clock.Advance(KeyRateWindows.InFlightLifetime - TimeSpan.FromSeconds(1));
        await TwoInstanceKeyBed.SyncAsync(bed.Second);
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(bed.OnSecond));

        bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await TwoInstanceKeyBed.SyncAsync(bed.Second);
        Assert.Equal(0, Health(bed.Second).OthersInFlight);
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(bed.OnSecond));
        await EndAsync(bed, release, held);
    }
}
