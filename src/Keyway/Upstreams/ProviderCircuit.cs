namespace Keyway.Upstreams;

/// <summary>
/// A provider's circuit breaker as a fallback target: after enough consecutive whole-pool failures it opens,
/// and while open the target is tried only after every other target of the route. A success closes it.
/// Also holds the pool's round-robin cursor and wakes requests waiting for a key of the pool.
/// </summary>
public sealed class ProviderCircuit
{
    private readonly Lock _gate = new();
    private volatile bool _failing;
    private int _cursor;
    private TaskCompletionSource? _keyFreed;
    private int _waiting;
    private int _consecutiveFailures;
    private DateTimeOffset? _openUntil;

    /// <summary>
    /// Completes the next time a key of the pool with a max_concurrency gives back a place. A request waiting for a key
    /// takes this before it looks at the pool again, so a place given back in between is not missed.
    /// </summary>
    public Task KeyFreed()
    {
        var waiting = Volatile.Read(ref _keyFreed);
        if (waiting is not null)
        {
            return waiting.Task;
        }
        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _keyFreed, fresh, null) ?? fresh).Task;
    }

    /// <summary>Requests waiting now for a key of the pool (the keyway_key_waits gauge).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void BeginWait() => Interlocked.Increment(ref _waiting);

    public void EndWait() => Interlocked.Decrement(ref _waiting);

    /// <summary>A place was given back: wakes every request waiting for a key (one read when none waits).</summary>
    public void WakeKeyWaiters()
    {
        if (Volatile.Read(ref _keyFreed) is not null)
        {
            Interlocked.Exchange(ref _keyFreed, null)?.TrySetResult();
        }
    }

    /// <summary>The next value of the pool's rotating tie-breaker.</summary>
    public int NextCursor() => Interlocked.Increment(ref _cursor) & int.MaxValue;

    public bool IsOpen(DateTimeOffset now)
    {
        if (!_failing)
        {
            return false;
        }
        lock (_gate)
        {
            return _openUntil > now;
        }
    }

    public void RecordPoolFailure(FailoverPolicy policy, DateTimeOffset now)
    {
        lock (_gate)
        {
            _failing = true;
            _consecutiveFailures++;
            if (_consecutiveFailures >= policy.CircuitFailureThreshold)
            {
                var until = now + policy.CircuitOpen;
                _openUntil = _openUntil > until ? _openUntil : until;
            }
        }
    }

    public void Close()
    {
        if (!_failing)
        {
            return;
        }
        lock (_gate)
        {
            _consecutiveFailures = 0;
            _openUntil = null;
            _failing = false;
        }
    }

    public (int ConsecutiveFailures, DateTimeOffset? OpenUntil) Snapshot()
    {
        lock (_gate)
        {
            return (_consecutiveFailures, _openUntil);
        }
    }
}
