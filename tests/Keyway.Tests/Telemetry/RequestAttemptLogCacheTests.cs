using Keyway.Telemetry;

namespace Keyway.Tests.Telemetry;

public sealed class RequestAttemptLogCacheTests
{
    [Fact]
    public void ARepeatedSingleAttempt_IsSerializedOnce_AndReadsBackAsGiven()
    {
        var cache = new RequestAttemptLogCache();

        var first = cache.Serialize([new RequestAttempt("prov-1", "key \"a\"", 200)]);
        var again = cache.Serialize([new RequestAttempt("prov-1", "key \"a\"", 200)]);

        Assert.Same(first, again);
        Assert.Equal([new RequestAttempt("prov-1", "key \"a\"", 200)], RequestAttemptLog.Parse(first));
    }

    [Fact]
    public void AttemptsThatDifferInAnyField_GetTheirOwnLog()
    {
        var cache = new RequestAttemptLogCache();
        RequestAttempt[] attempts = [new("p", "k", 200), new("p", "k", 429), new("p", "k2", 200), new("p2", "k", 200)];

        var logs = attempts.Select(attempt => cache.Serialize([attempt])).ToList();

        Assert.Equal(attempts.Select(attempt => RequestAttemptLog.Serialize([attempt])), logs);
    }

    [Fact]
    public void MoreDistinctAttemptsThanItKeeps_AreEachStillSerializedRight()
    {
        var cache = new RequestAttemptLogCache();
        var attempts = Enumerable.Range(0, 1_000).Select(i => new RequestAttempt("p", $"key-{i % 600}", 200)).ToList();

        foreach (var attempt in attempts)
        {
            Assert.Equal([attempt], RequestAttemptLog.Parse(cache.Serialize([attempt])));
        }
    }

    [Fact]
    public void NoAttempts_OrSeveral_AreSerializedAsTheColumnHasThem()
    {
        var cache = new RequestAttemptLogCache();
        IReadOnlyList<RequestAttempt> failover = [new("p", "a", 429), new("p", "b", 200)];

        Assert.Null(cache.Serialize(null));
        Assert.Null(cache.Serialize([]));
        Assert.Equal(RequestAttemptLog.Serialize(failover), cache.Serialize(failover));
    }
}
