using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// Two Keyway servers (instance ids "a" and "b"), each with its own data dir, on one PostgreSQL schema of the test
/// cluster, plus one fake upstream: the scale-out set-up behind a load balancer, in-process.
/// </summary>
public sealed class TwoInstances : IAsyncDisposable
{
    private readonly TempDirectory _shared;
    private readonly TempDirectory _dirA;
    private readonly TempDirectory _dirB;

    private TwoInstances(TempDirectory shared, TempDirectory dirA, TempDirectory dirB, FakeUpstream upstream, KeywayServer a, KeywayServer b)
    {
        _shared = shared;
        _dirA = dirA;
        _dirB = dirB;
        Upstream = upstream;
        A = a;
        B = b;
    }

    public FakeUpstream Upstream { get; }
    public KeywayServer A { get; }
    public KeywayServer B { get; }

    public static async Task<TwoInstances> StartAsync()
    {
        var shared = new TempDirectory();
        var url = await TestPostgres.DatabaseUrlForAsync(shared.Path);
        var (dirA, dirB) = (new TempDirectory(), new TempDirectory());
        var upstream = await FakeUpstream.StartAsync();
        var a = await KeywayServer.StartAsync(dirA.Path, options => options with { DatabaseUrl = url, InstanceId = "a" });
        var b = await KeywayServer.StartAsync(dirB.Path, options => options with { DatabaseUrl = url, InstanceId = "b" });
        return new TwoInstances(shared, dirA, dirB, upstream, a, b);
    }

    /// <summary>Polls <paramref name="probe"/> until it holds; fails when it does not within <paramref name="bound"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> probe, TimeSpan bound, string what)
    {
        using var deadline = new CancellationTokenSource(bound);
        while (!await probe())
        {
            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{what} did not happen within {bound.TotalSeconds} s");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Upstream.DisposeAsync();
        _dirB.Dispose();
        _dirA.Dispose();
        _shared.Dispose();
    }
}
