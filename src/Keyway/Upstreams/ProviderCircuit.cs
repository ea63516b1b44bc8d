namespace Keyway.Upstreams;

/// <summary>
/// A provider's circuit breaker as a fallback target: after enough consecutive whole-pool failures it opens,
/// and while open the target is tried only after every other target of the route. A success closes it.
/// Also holds the pool's round-robin cursor and the line of requests waiting for a key of the pool.
/// </summary>
public sealed class ProviderCircuit(TimeProvider time)
{
    private readonly Lock _gate = new();
    private volatile bool _failing;
    private int _cursor;
    private int _consecutiveFailures;
    private DateTimeOffset? _openUntil;

    /// <summary>The requests waiting for a key of the pool, served in the order they came.</summary>
    public KeyWaitQueue KeyWaiters { get; } = new(time);

    /// <summary>Requests waiting now for a key of the pool (the keyway_key_waits gauge).</summary>
    public int Waiting => KeyWaiters.Count;

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
