using Keyway.Upstreams;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Upstreams;

/// <summary>A pool key's max_concurrency in the attempts of one request, without a server: places taken, given back, waited for.</summary>
public sealed class KeyConcurrencyTests
{
    private sealed record Plan(UpstreamEndpoint Endpoint) : IEndpointPlan;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CooldownBook _book;

    public KeyConcurrencyTests() => _book = new CooldownBook(_clock, NullLogger<CooldownBook>.Instance);

    private static RouteTarget Target(params UpstreamKey[] keys) => Target("p", keys);

    private static RouteTarget Target(string providerId, params UpstreamKey[] keys) =>
        new(new UpstreamProvider(providerId, "default", providerId.ToUpperInvariant(), UpstreamProtocol.OpenAI, "http://127.0.0.1:1/v1", TimeSpan.FromSeconds(30), [], keys), "m");

    private static UpstreamKey Key(string name, int? maxConcurrency) => new($"k-{name}", name, $"sk-{name}", []) { MaxConcurrency = maxConcurrency };

    private FailoverRun<Plan> Run(RouteTarget target, KeyWaiter? waiter = null) => Run([target], waiter);

    private FailoverRun<Plan> Run(RouteTarget[] targets, KeyWaiter? waiter) =>
        new(targets, t => new Plan(t.Provider.MainEndpoint), _book, pinnedKeyName: null, waiter: waiter);

    private int InFlight(RouteTarget target, string name) => Health(target, name).InFlight;

    [Fact]
    public void AKeyWithAllItsPlacesTaken_IsPassedOver()
    {
        var target = Target(Key("a", 1), Key("b", 1));
        using var first = Run(target);
        Assert.True(first.TryNext());

        using var second = Run(target);
        Assert.True(second.TryNext());

        Assert.NotEqual(first.Key!.Name, second.Key!.Name);
        Assert.Equal(1, InFlight(target, "a"));
        Assert.Equal(1, InFlight(target, "b"));
    }

    [Fact]
    public void EveryKeyFull_NoKeyIsTried_AndTheRunSaysTheyWereBusy()
    {
        var target = Target(Key("a", 2));
        using var first = Run(target);
        using var second = Run(target);
        Assert.True(first.TryNext());
        Assert.True(second.TryNext());

        using var third = Run(target);

        Assert.False(third.TryNext());
        Assert.True(third.AnyBusy);
        Assert.False(third.AnyBlocked);
        Assert.Equal(2, InFlight(target, "a"));
    }

    [Fact]
    public void APlaceIsGivenBack_WhenTheRunMovesToTheNextKey_AndWhenItEnds()
    {
        var target = Target(Key("a", 1), Key("b", null));
        var run = Run(target);
        Assert.True(run.TryNext());
        var firstKey = run.Key!.Name;
        Assert.Equal(1, InFlight(target, firstKey));

        Assert.True(run.TryNext());
        Assert.Equal(0, InFlight(target, firstKey));
        Assert.Equal(1, InFlight(target, run.Key!.Name));

        run.Dispose();
        Assert.Equal(0, InFlight(target, "a"));
        Assert.Equal(0, InFlight(target, "b"));
    }

    [Fact]
    public void AskingTheSameKeyAgain_KeepsItsPlace()
    {
        var target = Target(Key("a", 1));
        using var run = Run(target);
        Assert.True(run.TryNext());

        run.RepeatWith(new Plan(target.Provider.MainEndpoint));
        Assert.True(run.TryNext());

        Assert.Equal("a", run.Key!.Name);
        Assert.Equal(1, InFlight(target, "a"));
    }

    [Fact]
    public void GivingBackAPlaceOfACappedKey_HandsItToTheRequestWaitingForThePool()
    {
        var target = Target(Key("a", 1));
        var holder = Run(target);
        Assert.True(holder.TryNext());
        var waiter = InLine(target);
        Assert.False(waiter.Served.IsCompleted);

        holder.Dispose();

        Assert.True(waiter.Served.IsCompletedSuccessfully);
        Assert.Equal(1, InFlight(target, "a"));
        using (var newcomer = Run(target))
        {
            Assert.False(newcomer.TryNext());
            Assert.True(newcomer.AnyBusy);
        }
        using (var served = Run(target, waiter))
        {
            Assert.True(served.TryNext());
            Assert.Equal("a", served.Key!.Name);
            Assert.Equal(1, InFlight(target, "a"));
            Assert.False(waiter.IsQueued);
        }
        Assert.Equal(0, InFlight(target, "a"));
    }

    [Fact]
    public void GivingBackAPlaceOfAKeyWithoutACap_HandsNothingOver()
    {
        var target = Target(Key("a", null));
        var holder = Run(target);
        Assert.True(holder.TryNext());
        _book.RecordFailure(target.Provider, target.Provider.Keys[0], "m", new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(5), false, "429"));
        var waiter = InLine(target);

        holder.Dispose();

        Assert.False(waiter.Served.IsCompleted);
        Assert.Equal(0, InFlight(target, "a"));
        waiter.Leave();
    }

    [Fact]
    public void AWaiterThatLeavesWithAPlaceHandedOver_PassesItToTheNext()
    {
        var target = Target(Key("a", 1));
        var holder = Run(target);
        Assert.True(holder.TryNext());
        var first = InLine(target);
        var second = InLine(target);

        holder.Dispose();
        Assert.True(first.Served.IsCompleted);
        Assert.False(second.Served.IsCompleted);
        Assert.Equal(1, _book.CircuitOf("p").Waiting);
        first.Leave();

        Assert.True(second.Served.IsCompleted);
        Assert.Equal(1, InFlight(target, "a"));
        Assert.Equal(0, _book.CircuitOf("p").Waiting);
        second.Leave();
        Assert.Equal(0, InFlight(target, "a"));
    }

    [Fact]
    public void APlaceOnAKeyThatCoolsDown_IsNotHandedOver()
    {
        var target = Target(Key("a", 1));
        var holder = Run(target);
        Assert.True(holder.TryNext());
        var waiter = InLine(target);

        holder.RecordFailure(new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(5), false, "429"));
        holder.Dispose();

        Assert.False(waiter.Served.IsCompleted);
        Assert.Equal(0, InFlight(target, "a"));
        waiter.Leave();
    }

    [Fact]
    public void APlaceGivenBackOnTheRoutesFallback_IsHandedToTheWaiter_WhoseNextRunUsesItFirst()
    {
        var first = Target("p", Key("a", 1));
        var fallback = Target("q", Key("b", 1));
        var onFirst = Run(first);
        var onFallback = Run(fallback);
        Assert.True(onFirst.TryNext());
        Assert.True(onFallback.TryNext());
        var waiter = InLine(first, fallback);
        Assert.Equal(1, _book.CircuitOf("p").Waiting);
        Assert.Equal(1, _book.CircuitOf("q").Waiting);

        onFallback.Dispose();
        onFirst.Dispose();

        Assert.True(waiter.Served.IsCompleted);
        Assert.Equal(0, InFlight(first, "a"));
        using var served = Run([first, fallback], waiter);
        Assert.True(served.TryNext());
        Assert.Equal("b", served.Key!.Name);
        Assert.Equal(0, InFlight(first, "a"));
        Assert.Equal(0, _book.CircuitOf("p").Waiting);
    }

    [Fact]
    public void AKeyBackFromItsCooldown_IsHandedToTheWaiter_NotTakenByARequestThatLooksFirst()
    {
        var target = Target(Key("a", 1));
        _book.RecordFailure(target.Provider, target.Provider.Keys[0], "m", new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(5), false, "429"));
        var waiter = InLine(target);
        _clock.Advance(TimeSpan.FromSeconds(5));

        using (var newcomer = Run(target))
        {
            Assert.False(newcomer.TryNext());
            Assert.True(newcomer.AnyBusy);
        }

        Assert.True(waiter.Served.IsCompleted);
        using var served = Run(target, waiter);
        Assert.True(served.TryNext());
        Assert.Equal(1, InFlight(target, "a"));
    }

    [Fact]
    public void TheOtherInstancesRequestsInFlight_TakePlacesOfTheCap_NotOfAKeyWithoutOne()
    {
        var capped = Target("p", Key("a", 2));
        var uncapped = Target("q", Key("b", null));
        Health(capped, "a").SetOthersInFlight(1);
        Health(uncapped, "b").SetOthersInFlight(1);
        using var first = Run(capped);
        Assert.True(first.TryNext());

        using var second = Run(capped);
        Assert.False(second.TryNext());
        Assert.True(second.AnyBusy);
        using var onUncapped = Run(uncapped);
        Assert.True(onUncapped.TryNext());
    }

    [Fact]
    public void RoundRobin_CountsTheOtherInstancesRequestsInFlight_OnCappedKeys()
    {
        var target = Target("p", Key("a", 4), Key("b", 4));
        Health(target, "a").SetOthersInFlight(3);

        using var first = Run(target);
        using var second = Run(target);
        Assert.True(first.TryNext());
        Assert.True(second.TryNext());

        Assert.Equal((0, 2), (InFlight(target, "a"), InFlight(target, "b")));
    }

    [Fact]
    public void APlaceTheOtherInstancesFree_IsHandedToTheLongestWaiter_AndNoMore()
    {
        var target = Target(Key("a", 2));
        var key = target.Provider.Keys[0];
        Assert.False(Health(target, "a").SetOthersInFlight(2));
        var first = InLine(target);
        var second = InLine(target);

        Assert.True(Health(target, "a").SetOthersInFlight(1));
        _book.CircuitOf("p").KeyWaiters.HandOverFreed(Health(target, "a"), key);

        Assert.True(first.Served.IsCompleted);
        Assert.False(second.Served.IsCompleted);
        Assert.Equal(1, InFlight(target, "a"));
        using (var served = Run(target, first))
        {
            Assert.True(served.TryNext());
            Assert.Equal(1, InFlight(target, "a"));
        }
        Assert.True(second.Served.IsCompleted);
        second.Leave();
        Assert.Equal(0, InFlight(target, "a"));
    }

    [Fact]
    public void APlaceGivenBackWhileTheOtherInstancesFillTheCap_IsNotHandedOn()
    {
        var target = Target(Key("a", 2));
        var holders = new[] { Run(target), Run(target) };
        Assert.All(holders, holder => Assert.True(holder.TryNext()));
        var waiter = InLine(target);

        Health(target, "a").SetOthersInFlight(1);
        holders[0].Dispose();

        Assert.False(waiter.Served.IsCompleted);
        Assert.Equal(1, InFlight(target, "a"));
        holders[1].Dispose();
        Assert.True(waiter.Served.IsCompleted);
        waiter.Leave();
    }

    private KeyHealth Health(RouteTarget target, string name) => _book.For(target.Provider.Keys.Single(key => key.Name == name), target.Provider);

    /// <summary>A request that found every key of the <paramref name="targets"/>' pools taken, now in line for one.</summary>
    private KeyWaiter InLine(params RouteTarget[] targets)
    {
        var waiter = new KeyWaiter();
        using var run = Run(targets, waiter);
        Assert.False(run.TryNext());
        Assert.True(run.QueueForKey(waiter));
        return waiter;
    }

    [Fact]
    public void ACoolingKey_IsReportedAsBlocked_NotBusy()
    {
        var target = Target(Key("a", 1));
        _book.RecordFailure(target.Provider, target.Provider.Keys[0], "m", new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(5), false, "429"));
        using var run = Run(target);

        Assert.False(run.TryNext());
        Assert.True(run.AnyBlocked);
        Assert.False(run.AnyBusy);
        Assert.Equal(_book.Now.AddSeconds(5), run.EarliestRecovery);
    }
}
