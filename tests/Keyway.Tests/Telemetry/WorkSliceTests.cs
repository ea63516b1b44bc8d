using Keyway.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Telemetry;

public sealed class WorkSliceTests
{
    private static readonly TimeSpan Length = TimeSpan.FromMicroseconds(100);

    [Fact]
    public void StepsWithinTheSlice_KeepTheCore()
    {
        var clock = new FakeTimeProvider();
        var yields = 0;
        var slice = new WorkSlice(clock, Length, () => yields++);

        slice.Start();
        clock.Advance(TimeSpan.FromMicroseconds(60));
        slice.Step();
        clock.Advance(TimeSpan.FromMicroseconds(39));
        slice.Step();

        Assert.Equal(0, yields);
    }

    [Fact]
    public void AStepAfterTheSliceIsUsed_YieldsOnce_AndStartsTheNextSlice()
    {
        var clock = new FakeTimeProvider();
        var yields = 0;
        var slice = new WorkSlice(clock, Length, () => yields++);

        slice.Start();
        clock.Advance(TimeSpan.FromMicroseconds(100));
        slice.Step();
        slice.Step();
        Assert.Equal(1, yields);

        clock.Advance(TimeSpan.FromMicroseconds(150));
        slice.Step();
        Assert.Equal(2, yields);
    }

    [Fact]
    public void Start_BeginsAFreshSlice()
    {
        var clock = new FakeTimeProvider();
        var yields = 0;
        var slice = new WorkSlice(clock, Length, () => yields++);

        slice.Start();
        clock.Advance(TimeSpan.FromMilliseconds(5)); // the writer waited for rows between two batches
        slice.Start();
        slice.Step();

        Assert.Equal(0, yields);
    }
}
