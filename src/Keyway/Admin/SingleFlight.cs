using System.Collections.Concurrent;

namespace Keyway.Admin;

/// <summary>
/// Calls for the same key while one is in flight share its computation, as Go's singleflight: the admin UI and
/// `keyway top` re-read /admin/llm/stats every few seconds, and when one read took longer than that the reads piled up,
/// each holding a read transaction, so the SQLite WAL could never restart (334 MB in the soak). A caller that leaves
/// stops waiting; the computation runs on for the others, with the token of none of them.
/// </summary>
internal sealed class SingleFlight<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _inFlight = new();

    public Task<TValue> RunAsync(TKey key, Func<Task<TValue>> compute, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inFlight.GetOrAdd(key, started.Task);
        if (shared == started.Task)
        {
            _ = CompleteAsync(key, started, compute);
        }
        return shared.WaitAsync(cancellationToken);
    }

    private async Task CompleteAsync(TKey key, TaskCompletionSource<TValue> started, Func<Task<TValue>> compute)
    {
        try
        {
            var value = await compute();
            _inFlight.TryRemove(KeyValuePair.Create(key, started.Task));
            started.SetResult(value);
        }
        catch (Exception failure)
        {
            _inFlight.TryRemove(KeyValuePair.Create(key, started.Task));
            started.SetException(failure);
        }
    }
}
