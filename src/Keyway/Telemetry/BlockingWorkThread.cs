using System.Collections.Concurrent;

namespace Keyway.Telemetry;

/// <summary>
/// A thread of its own for blocking work, run in the order it is handed over. SQLite's calls are synchronous, so the
/// request-log writer's batches run here instead of on the thread pool: on a gateway with one core the pool has one
/// worker, and a batch on it held every request queued behind it (added p99 at one connection: 2.6–3.5 ms on the pool,
/// ~1.1 ms here, bench/RESULTS.md). A thread of its own is interleaved with the requests by the operating system.
/// </summary>
public sealed class BlockingWorkThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();

    public BlockingWorkThread(string name) =>
        new Thread(RunAll) { IsBackground = true, Name = name }.Start();

    /// <summary>
    /// Runs <paramref name="work"/> on the thread once the work handed over before it is done; the returned task
    /// completes (on the thread pool) with its outcome.
    /// </summary>
    public Task RunAsync(Func<Task> work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                work().GetAwaiter().GetResult();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>Lets the thread finish the work already handed over and end; a second call does nothing.</summary>
    public void Dispose() => _work.CompleteAdding();

    private void RunAll()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
        // The collection is not disposed here: Dispose may still be called (again) after the thread ended.
    }
}
