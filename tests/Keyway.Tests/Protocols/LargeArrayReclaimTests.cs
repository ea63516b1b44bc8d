using Keyway.Protocols.Json;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Protocols;

/// <summary>One collection once large arrays stop coming and going for the quiet time, and none before enough was given back.</summary>
public sealed class LargeArrayReclaimTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);
    private const long MinimumBytes = 8_000_000;

    [Fact]
    public void ArraysGivenBack_AreCollectedOnce_AfterTheQuietTime()
    {
        var (clock, collections, reclaim) = Arrange();
        reclaim.Rented();
        reclaim.Rented();
        reclaim.Returned(5_000_000);

        clock.Advance(TimeSpan.FromSeconds(1));
        reclaim.Returned(5_000_000);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Empty(collections);

        clock.Advance(TimeSpan.FromSeconds(0.5));
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Single(collections);
    }

    [Fact]
    public void ArraysOnlyRented_AreNotCollected()
    {
        var (clock, collections, reclaim) = Arrange();
        reclaim.Rented();

        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Empty(collections);
    }

    [Fact]
    public void LessThanTheMinimumGivenBack_WaitsForMore()
    {
        var (clock, collections, reclaim) = Arrange();
        reclaim.Returned(5_000_000);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(collections);

        reclaim.Returned(5_000_000);
        clock.Advance(Quiet);

        Assert.Single(collections);
    }

    private static (FakeTimeProvider Clock, List<DateTimeOffset> Collections, LargeArrayReclaim Reclaim) Arrange()
    {
        var clock = new FakeTimeProvider();
        var collections = new List<DateTimeOffset>();
        return (clock, collections, new LargeArrayReclaim(clock, Quiet, MinimumBytes, () => collections.Add(clock.GetUtcNow())));
    }
}
