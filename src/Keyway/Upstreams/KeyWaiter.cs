namespace Keyway.Upstreams;

/// <summary>
/// One request waiting for a key (key_wait_seconds): in the line (<see cref="KeyWaitQueue"/>) of each target's provider
/// that could serve it, keeping its turn — the order it first waited — across its looks at the pools. A place given back
/// may be handed to it (<see cref="Served"/> completes); its next <see cref="FailoverRun{TPlan}"/> starts with that key.
/// Created only once a request has to wait, and used by that request alone.
/// </summary>
public sealed class KeyWaiter
{
    private static long s_lastTicket;

    private readonly List<KeyWaitEntry> _entries = [];
    private TaskCompletionSource _served = NewServed();
    private int _handedOver;
    private RouteTarget? _placeTarget;
    private KeyLease _place;

    /// <summary>The request's turn: lower came first.</summary>
    internal long Ticket { get; } = Interlocked.Increment(ref s_lastTicket);

    /// <summary>Whether the request is in line for a key.</summary>
    public bool IsQueued => _entries.Count > 0;

    /// <summary>Completes when a place is handed over to the request (its next run takes it).</summary>
    public Task Served => _served.Task;

    /// <summary>Puts the request in line at <paramref name="queue"/> for a key of <paramref name="target"/>'s pool.</summary>
    internal void Join(RouteTarget target, KeyWaitQueue queue, string? pinnedKeyName, bool visitorOnly, UpstreamEndpoint? nativeEndpoint)
    {
        if (_entries.Count == 0 && _handedOver != 0)
        {
            // Back in line after a place handed over earlier: the next one is waited for afresh.
            _handedOver = 0;
            _served = NewServed();
        }
        var entry = new KeyWaitEntry(this, target, queue, pinnedKeyName, visitorOnly, nativeEndpoint);
        _entries.Add(entry);
        queue.Add(entry);
    }

    /// <summary>Leaves every line; a place handed over meanwhile is given back, so the next waiter gets it.</summary>
    public void Leave()
    {
        if (LeaveLines() is { } unused)
        {
            unused.Lease.Release();
        }
    }

    /// <summary>The place handed over to the request, if one was: the request then leaves every line; else it stays in line.</summary>
    internal (RouteTarget Target, KeyLease Lease)? TakePlace() => Volatile.Read(ref _handedOver) == 0 ? null : LeaveLines();

    /// <summary>Hands <paramref name="place"/> over (under its queue's lock); false when another queue already handed one.</summary>
    internal bool TryHandOver(RouteTarget target, KeyLease place)
    {
        if (Interlocked.CompareExchange(ref _handedOver, 1, 0) != 0)
        {
            return false;
        }
        (_placeTarget, _place) = (target, place);
        _served.TrySetResult();
        return true;
    }

    /// <summary>Leaves every line, returning the place handed over meanwhile, if one was.</summary>
    private (RouteTarget Target, KeyLease Lease)? LeaveLines()
    {
        if (_entries.Count == 0)
        {
            return null;
        }
        foreach (var entry in _entries)
        {
            entry.Queue.Remove(entry);
        }
        _entries.Clear();
        // Every hand-over happened under the lock of a line the request was in, so it is seen here.
        if (_placeTarget is not { } target)
        {
            return null;
        }
        _placeTarget = null;
        return (target, _place);
    }

    private static TaskCompletionSource NewServed() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
