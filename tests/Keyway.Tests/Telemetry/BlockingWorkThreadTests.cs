using Keyway.Telemetry;

namespace Keyway.Tests.Telemetry;

public sealed class BlockingWorkThreadTests
{
    [Fact]
    public async Task Work_RunsOnTheNamedThread_NotOnThePool()
    {
        using var thread = new BlockingWorkThread("keyway-test-worker");
        string? name = null;
        var onPool = true;

        await thread.RunAsync(() =>
        {
            name = Thread.CurrentThread.Name;
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            return Task.CompletedTask;
        });

        Assert.Equal("keyway-test-worker", name);
        Assert.False(onPool);
    }

    [Fact]
    public async Task Work_RunsInTheOrderItWasHandedOver()
    {
        using var thread = new BlockingWorkThread("keyway-test-worker");
        var order = new List<int>();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => thread.RunAsync(() =>
        {
            order.Add(i);
            return Task.CompletedTask;
        })).ToList());

        Assert.Equal(Enumerable.Range(0, 50), order);
    }

    [Fact]
    public async Task AFailure_ReachesTheCaller_AndTheThreadGoesOn()
    {
        using var thread = new BlockingWorkThread("keyway-test-worker");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => thread.RunAsync(() => throw new InvalidOperationException("database is locked")));
        var ranAfter = false;
        await thread.RunAsync(() =>
        {
            ranAfter = true;
            return Task.CompletedTask;
        });

        Assert.Equal("database is locked", failure.Message);
        Assert.True(ranAfter);
    }

    [Fact]
    public async Task Dispose_CanBeCalledAgain_AfterTheThreadEnded()
    {
        var thread = new BlockingWorkThread("keyway-test-worker");
        await thread.RunAsync(() => Task.CompletedTask);

        thread.Dispose();
        await Task.Delay(50);
        var again = Record.Exception(thread.Dispose);

        Assert.Null(again);
    }
}
