using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Upstreams;

/// <summary>
/// What a key's failures count for, without a server: a burst of requests meeting one outage or one rate limit is one
/// failure of the key, a rate limit never quarantines, a model is named only as a name of its own, a reset closes the
/// provider's circuit on every instance, and a key that stops being usable is logged once.
/// </summary>
public sealed class FailureEvidenceTests : IDisposable
{
    private sealed record Plan(UpstreamEndpoint Endpoint) : IEndpointPlan;

    private static readonly UpstreamFailure ServerError = new(FailureClass.Transient, 500, null, false, "boom");

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturedLog _log = new();
    private readonly ILoggerFactory _loggers;
    private readonly CooldownBook _book;
    private readonly RouteTarget _target = new(
        new UpstreamProvider("p", "default", "P", UpstreamProtocol.OpenAI, "http://127.0.0.1:1/v1", TimeSpan.FromSeconds(30), [],
            [new UpstreamKey("k-a", "a", "sk-a", [])]),
        "m");

    public FailureEvidenceTests()
    {
        _loggers = LoggerFactory.Create(builder => builder.AddProvider(_log));
        _book = new CooldownBook(_clock, _loggers.CreateLogger<CooldownBook>());
    }

    public void Dispose() => _loggers.Dispose();

    private FailoverRun<Plan> Run() => new([_target], t => new Plan(t.Provider.MainEndpoint), _book, pinnedKeyName: null);

    private KeyHealthState State() => _book.StateOf("k-a")!;

    [Fact]
    public void RequestsInFlightTogether_WhenTheKeyFails_CountAsOneFailure()
    {
        var runs = Enumerable.Range(0, 8).Select(_ => Run()).ToList();
        Assert.All(runs, run => Assert.True(run.TryNext()));

        foreach (var run in runs)
        {
            run.RecordFailure(ServerError);
            run.Dispose();
        }

        Assert.Equal(1, State().ConsecutiveFailures);
        Assert.Null(State().QuarantineReason);
    }

    [Fact]
    public void FailuresOfRequestsOneAfterTheOther_EachCount()
    {
        for (var i = 0; i < 5; i++)
        {
            using var run = Run();
            _clock.Advance(TimeSpan.FromMinutes(2));
            Assert.True(run.TryNext());
            run.RecordFailure(ServerError);
        }

        Assert.StartsWith("failed 5 times in a row", State().QuarantineReason);
    }

    [Fact]
    public void RateLimits_CoolTheKey_ButNeverQuarantineIt()
    {
        for (var i = 0; i < 10; i++)
        {
            using var run = Run();
            _clock.Advance(TimeSpan.FromSeconds(3));
            Assert.True(run.TryNext());
            run.RecordFailure(new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(2), false, "slow down"));
        }

        Assert.Null(State().QuarantineReason);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(2), State().CooldownUntil);
    }

    [Fact]
    public void AKeyThatStopsBeingUsable_IsLoggedOnce_WithItsNameAndWhy()
    {
        var runs = Enumerable.Range(0, 4).Select(_ => Run()).ToList();
        Assert.All(runs, run => Assert.True(run.TryNext()));

        foreach (var run in runs)
        {
            run.RecordFailure(new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(30), false, "Rate limit reached"));
            run.Dispose();
        }

        var line = Assert.Single(_log.Text.Split('\n'), l => l.Contains("cools down"));
        Assert.Contains("Upstream key 'a' of provider p cools down until 2026-01-01T12:00:30", line);
        Assert.Contains("after 429: Rate limit reached", line);
    }

    [Fact]
    public void AQuarantine_IsLogged()
    {
        for (var i = 0; i < 2; i++)
        {
            using var run = Run();
            _clock.Advance(TimeSpan.FromMinutes(2));
            Assert.True(run.TryNext());
            run.RecordFailure(new UpstreamFailure(FailureClass.Credential, 401, null, false, "Incorrect API key provided"));
        }

        Assert.Contains("Upstream key 'a' of provider p is quarantined until a probe succeeds: refused the credential 2 times", _log.Text);
    }

    [Fact]
    public void AResetMadeOnAnotherInstance_ClosesTheCircuitHereToo()
    {
        var policy = _target.Provider.Policy;
        for (var i = 0; i < policy.CircuitFailureThreshold; i++)
        {
            _book.CircuitOf("p").RecordPoolFailure(policy, _clock.GetUtcNow());
        }
        Assert.True(_book.CircuitOf("p").IsOpen(_clock.GetUtcNow()));
        var other = new KeyHealth("k-a", "p");
        other.Clear(_clock.GetUtcNow());

        _book.Merge([other.Snapshot()]);

        Assert.False(_book.CircuitOf("p").IsOpen(_clock.GetUtcNow()));
    }

    [Theory]
    [InlineData("round_robin", new[] { "a" }, false)]
    [InlineData("round_robin", new[] { "a", "b" }, true)]
    [InlineData("priority", new[] { "a", "b-other-model" }, false)]
    [InlineData("only_first", new[] { "a", "b" }, false)]
    public void ConsecutiveFailures_CoolAKey_OnlyWhenAnotherKeyOfThePoolCouldServeItsRequests(string routingMode, string[] keyNames, bool cooled)
    {
        var keys = keyNames.Select(name => new UpstreamKey("k-" + name, name, "sk-" + name, name.EndsWith("other-model") ? ["other"] : [])).ToArray();
        var provider = _target.Provider with { Keys = keys, RoutingMode = KeyRoutingModeNames.Parse(routingMode) };

        for (var i = 0; i < 2; i++)
        {
            _book.RecordFailure(provider, keys[0], "m", ServerError);
        }

        Assert.Equal(2, State().ConsecutiveFailures);
        Assert.Equal(cooled, State().CooldownUntil is not null);
    }

    [Fact]
    public void TheOneKeyOfAPool_IsStillCooledByWhatTheUpstreamSaysOfIt_AndQuarantinedByAnOutage()
    {
        var key = _target.Provider.Keys[0];
        _book.RecordFailure(_target.Provider, key, "m", new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(20), false, "slow down"));
        Assert.Equal(_clock.GetUtcNow().AddSeconds(20), State().CooldownUntil);

        for (var i = 0; i < 4; i++)
        {
            _book.RecordFailure(_target.Provider, key, "m", ServerError);
        }

        Assert.StartsWith("failed 5 times in a row", State().QuarantineReason);
    }

    [Theory]
    [InlineData("m", "rate limited, try again later", false)]
    [InlineData("o1", "The model o1-mini is overloaded", false)]
    [InlineData("gpt-4o", "gpt-4o-mini: rate limit reached", false)]
    [InlineData("gpt-4", "gpt-4.1 is busy", false)]
    [InlineData("gpt-4o", "{\"error\":{\"message\":\"model 'gpt-4o' is overloaded\"}}", true)]
    [InlineData("gpt-4o", "Too many requests for GPT-4o.", true)]
    [InlineData("deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-V3 has no capacity", true)]
    [InlineData("m", "m", true)]
    public void AModelIsNamed_OnlyAsANameOfItsOwn(string model, string body, bool named)
    {
        Assert.Equal(named, UpstreamFailureClassifier.NamesModel(System.Text.Encoding.UTF8.GetBytes(body), model));
    }
}
