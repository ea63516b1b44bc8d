using Keyway.Admin;

namespace Keyway.Tests.Admin;

/// <summary>Identical stats reads in flight at once share one computation, so a UI's auto-refresh cannot pile them up.</summary>
public sealed class SingleFlightTests
{
    [Fact]
    public async Task CallsForOneKey_WhileOneIsInFlight_ShareItsComputation()
    {
        var flight = new SingleFlight<string, int>();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var computed = 0;
        Func<Task<int>> compute = () => { Interlocked.Increment(ref computed); return gate.Task; };

        var first = flight.RunAsync("stats?since=1", compute, CancellationToken.None);
        var second = flight.RunAsync("stats?since=1", compute, CancellationToken.None);
        var other = flight.RunAsync("stats?since=2", compute, CancellationToken.None);
        Assert.Equal(2, computed);
        gate.SetResult(42);

        Assert.Equal(42, await first);
        Assert.Equal(42, await second);
        Assert.Equal(42, await other);
        // Finished: the next call computes afresh.
        Assert.Equal(42, await flight.RunAsync("stats?since=1", compute, CancellationToken.None));
        Assert.Equal(3, computed);
    }

    [Fact]
    public async Task ACallerLeaving_LeavesTheOthersTheirResult_AndAFailureReachesAllOfThem()
    {
        var flight = new SingleFlight<string, int>();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var leaving = new CancellationTokenSource();

        var first = flight.RunAsync("k", () => gate.Task, leaving.Token);
        var second = flight.RunAsync("k", () => gate.Task, CancellationToken.None);
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        gate.SetResult(7);
        Assert.Equal(7, await second);

        var failing = flight.RunAsync("k", () => Task.FromException<int>(new InvalidOperationException("locked")), CancellationToken.None);
        Assert.Equal("locked", (await Assert.ThrowsAsync<InvalidOperationException>(() => failing)).Message);
        Assert.Equal(8, await flight.RunAsync("k", () => Task.FromResult(8), CancellationToken.None));
    }
}
