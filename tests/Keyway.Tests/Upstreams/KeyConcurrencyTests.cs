using Keyway.Upstreams;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Upstreams;

/// <summary>A pool key's max_concurrency in the attempts of one request, without a server: places taken, given back, waited for.</summary>
public sealed class KeyConcurrencyTests
{
    private sealed record Plan(UpstreamEndpoint Endpoint) : IEndpointPlan;

    private readonly CooldownBook _book = new(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)));

    private static RouteTarget Target(params UpstreamKey[] keys) =>
        new(new UpstreamProvider("p", "default", "P", UpstreamProtocol.OpenAI, "http://127.0.0.1:1/v1", TimeSpan.FromSeconds(30), [], keys), "m");

    private static UpstreamKey Key(string name, int? maxConcurrency) => new($"k-{name}", name, $"sk-{name}", []) { MaxConcurrency = maxConcurrency };

    private FailoverRun<Plan> Run(RouteTarget target) => new([target], t => new Plan(t.Provider.MainEndpoint), _book, pinnedKeyName: null);

    private int InFlight(RouteTarget target, string name) =>
        _book.For(target.Provider.Keys.Single(key => key.Name == name), target.Provider).InFlight;

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
    public void GivingBackAPlaceOfACappedKey_WakesTheRequestsWaitingForThePool()
    {
        var target = Target(Key("a", 1));
        var holder = Run(target);
        Assert.True(holder.TryNext());
        var keyFreed = _book.CircuitOf("p").KeyFreed();
        Assert.False(keyFreed.IsCompleted);

        holder.Dispose();

        Assert.True(keyFreed.IsCompletedSuccessfully);
        using var waiter = Run(target);
        Assert.True(waiter.TryNext());
    }

    [Fact]
    public void GivingBackAPlaceOfAKeyWithoutACap_WakesNobody()
    {
        var target = Target(Key("a", null));
        var holder = Run(target);
        Assert.True(holder.TryNext());
        var keyFreed = _book.CircuitOf("p").KeyFreed();

        holder.Dispose();

        Assert.False(keyFreed.IsCompleted);
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
