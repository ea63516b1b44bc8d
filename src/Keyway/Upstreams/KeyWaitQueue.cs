namespace Keyway.Upstreams;

/// <summary>
/// The requests waiting for a key of one provider's pool (key_wait_seconds), in the order they first waited. A place
/// given back on a key with a max_concurrency goes straight to the longest waiter that can use that key — its model,
/// pinned key, visitor rule and endpoint allow it, and the key does not cool down for its model — and stays counted in
/// flight meanwhile, so no request that comes later can take it before that waiter's look; a place no waiter can use
/// is freed. A place found free by a look while others wait for it — a key back from a cooldown, reset or added — is
/// handed over the same way (<see cref="TryHandOverAhead"/>), and so are places the other instances free
/// (<see cref="HandOverFreed"/>). When nobody waits, each costs one read more.
/// </summary>
public sealed class KeyWaitQueue(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<KeyWaitEntry> _entries = new();
    private int _count;

    /// <summary>Requests in line now (the keyway_key_waits gauge; a route with several targets on the provider counts under each).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gives back the place of <paramref name="place"/>: hands it over to the longest waiter that can use it, else frees it.</summary>
    internal void GiveBack(KeyLease place)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            place.Health.Leave();
            // A request that got in line meanwhile may have seen the key full just before: it is handed the place, not left to sleep.
            if (Volatile.Read(ref _count) == 0 || !place.Health.TryEnter(place.Key.MaxConcurrency))
            {
                return;
            }
        }
        lock (_gate)
        {
            // Over the cap (the other instances started requests on the key meanwhile), the place is no place to hand on.
            if (place.Health.IsOver(place.Key.MaxConcurrency) || !HandOverLocked(place, long.MaxValue))
            {
                place.Health.Leave();
            }
        }
    }

    /// <summary>
    /// Hands the places of <paramref name="key"/> that freed without being given back here — the other instances ended
    /// requests on it (<see cref="KeyHealth.SetOthersInFlight"/>) — to the longest waiters that can use them, one each,
    /// until none is free or no waiter can use one.
    /// </summary>
    internal void HandOverFreed(KeyHealth health, UpstreamKey key)
    {
        while (Volatile.Read(ref _count) > 0 && KeyLease.TryEnter(health, key, this) is { } place)
        {
            if (!TryHandOverAhead(place, long.MaxValue))
            {
                health.Leave();
                return;
            }
        }
    }

    /// <summary>
    /// Hands <paramref name="place"/>, just taken by a look at the pool, over to the longest waiter that came before
    /// <paramref name="turn"/> (<see cref="KeyWaiter.Ticket"/>; every waiter, for a request not waiting) and can use it;
    /// false when there is none, and the place stays the looker's.
    /// </summary>
    internal bool TryHandOverAhead(KeyLease place, long turn)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return false;
        }
        lock (_gate)
        {
            return HandOverLocked(place, turn);
        }
    }

    /// <summary>Puts <paramref name="entry"/> in line behind every waiter that first waited before its request.</summary>
    internal void Add(KeyWaitEntry entry)
    {
        lock (_gate)
        {
            var before = _entries.Last;
            while (before is not null && before.Value.Waiter.Ticket > entry.Waiter.Ticket)
            {
                before = before.Previous;
            }
            entry.Node = before is null ? _entries.AddFirst(entry) : _entries.AddAfter(before, entry);
            // A full fence: the request's next look at the pool comes after it is seen in line (see GiveBack).
            Interlocked.Increment(ref _count);
        }
    }

    private bool HandOverLocked(KeyLease place, long turn)
    {
        var now = time.GetUtcNow();
        for (var node = _entries.First; node is not null && node.Value.Waiter.Ticket < turn; node = node.Next)
        {
            if (node.Value.Admits(place, now) && node.Value.Waiter.TryHandOver(node.Value.Target, place))
            {
                RemoveLocked(node.Value);
                return true;
            }
        }
        return false;
    }

    internal void Remove(KeyWaitEntry entry)
    {
        lock (_gate)
        {
            RemoveLocked(entry);
        }
    }

    private void RemoveLocked(KeyWaitEntry entry)
    {
        if (entry.Node is { } node)
        {
            _entries.Remove(node);
            entry.Node = null;
            Interlocked.Decrement(ref _count);
        }
    }
}

/// <summary>A request's place in the line of one target's provider, with what it may use of the target's pool.</summary>
internal sealed class KeyWaitEntry(
    KeyWaiter waiter, RouteTarget target, KeyWaitQueue queue, string? pinnedKeyName, bool visitorOnly, UpstreamEndpoint? nativeEndpoint)
{
    public KeyWaiter Waiter { get; } = waiter;
    public RouteTarget Target { get; } = target;
    public KeyWaitQueue Queue { get; } = queue;

    /// <summary>Where the entry stands in <see cref="Queue"/>; null once out of it.</summary>
    public LinkedListNode<KeyWaitEntry>? Node { get; set; }

    /// <summary>Whether the request could take <paramref name="place"/>'s key now, as its look at the pool would.</summary>
    public bool Admits(KeyLease place, DateTimeOffset now) =>
        KeyPool.MayChoose(Target, place.Key, pinnedKeyName, visitorOnly, nativeEndpoint) && place.Health.BlockedUntil(Target.UpstreamModel, now) is null;
}
