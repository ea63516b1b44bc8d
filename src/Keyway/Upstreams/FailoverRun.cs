namespace Keyway.Upstreams;

/// <summary>
/// The attempts of one request: targets (route fallbacks) in order, those with an open circuit last, and within
/// each target up to 1 + max_retries keys of its pool. <typeparamref name="TPlan"/> is what the caller sends to a
/// target, built lazily; a target whose plan is null cannot serve this request and is skipped. A pinned key
/// allows exactly one attempt, on the first target that has a key of that name. A visitor request is tried only on keys
/// that allow visitors. A request of a client session prefers the session's key of a round_robin pool. When the target's
/// plan calls a native endpoint, only the keys that can call it are tried there (<see cref="UpstreamEndpoint.BaseUrlFor"/>);
/// when none of them can take the request, the others are tried with <paramref name="mainPlanFor"/>'s plan for the main
/// endpoint (translated) when the caller gave one.
/// The run holds the current key's place (<see cref="KeyLease"/>) until it moves on to another key or is disposed.
/// A run of a request waiting for a key (<paramref name="waiter"/>) starts with the place handed over to it, on that
/// place's target, and takes the request out of line once it holds a place; a free place it finds on a capped key goes
/// to a request that has waited longer for it, if there is one (<see cref="KeyWaitQueue"/>).
/// </summary>
public sealed class FailoverRun<TPlan>(
    IReadOnlyList<RouteTarget> targets, Func<RouteTarget, TPlan?> planFor, CooldownBook book, string? pinnedKeyName, bool visitorOnly = false,
    SessionAffinity? session = null, Func<RouteTarget, TPlan?>? mainPlanFor = null, KeyWaiter? waiter = null) : IDisposable
    where TPlan : class, IEndpointPlan
{
    /// <summary>Targets past this many in the run's order are looked at again each second only, never waited in line for.</summary>
    private const int MaxQueuedTargets = 64;

    private (RouteTarget Target, KeyLease Lease)? _handedPlace = waiter?.TakePlace();
    private readonly RouteTarget[] _order = OrderByCircuit(targets, book);
    private readonly HashSet<string> _tried = new(StringComparer.Ordinal);
    private int _index = -1;
    private int _attemptsOnTarget;
    private bool _targetFailed;
    private bool _repeatKey;
    private KeyLease? _lease;

    /// <summary>The current key's <see cref="KeyHealth.FailuresRecorded"/> when this attempt took it.</summary>
    private int _failuresSeen;
    private TPlan? _targetPlan;
    private TPlan? _mainPlan;
    private bool _mainPlanAsked;

    /// <summary>Bit i: the i-th target of <see cref="_order"/> was looked at (its plan was not null).</summary>
    private ulong _lookedAt;

    /// <summary>
    /// At i, the native endpoint of the i-th target when only its keys could serve (a native endpoint without a main plan);
    /// made at the first such target.
    /// </summary>
    private UpstreamEndpoint?[]? _nativeOnly;

    public RouteTarget? Target { get; private set; }
    public TPlan? Plan { get; private set; }
    public UpstreamKey? Key { get; private set; }

    /// <summary>True once some target could serve the request (its plan was not null).</summary>
    public bool AnyServable { get; private set; }

    /// <summary>When the earliest passed-over key recovers; null when none was cooling.</summary>
    public DateTimeOffset? EarliestRecovery { get; private set; }

    /// <summary>A key was passed over because all its max_concurrency places were taken.</summary>
    public bool AnyBusy { get; private set; }

    /// <summary>A key was passed over because it cooled down or was quarantined.</summary>
    public bool AnyBlocked { get; private set; }

    /// <summary>Moves to the next (target, key) to try; false when none is left.</summary>
    public bool TryNext()
    {
        if (_repeatKey)
        {
            _repeatKey = false;
            return true;
        }
        ReleaseLease();
        if (pinnedKeyName is not null && _tried.Count > 0)
        {
            return false;
        }
        while (Target is not null || MoveToNextTarget())
        {
            var limit = 1 + Target!.Provider.Policy.MaxRetries;
            if (_attemptsOnTarget < limit)
            {
                var native = _targetPlan!.Endpoint.IsMain ? null : _targetPlan.Endpoint;
                if (_handedPlace is { } handed && ReferenceEquals(handed.Target, Target))
                {
                    _handedPlace = null;
                    return Take(handed.Lease, native);
                }
                var choice = KeyPool.Select(Target, book, _tried, pinnedKeyName, visitorOnly, session, native);
                if (choice.Key is null && native is not null && MainPlan() is not null)
                {
                    Note(choice);
                    choice = KeyPool.Select(Target, book, _tried, pinnedKeyName, visitorOnly, session);
                }
                if (choice.Key is { } key)
                {
                    // Another request may have taken the last place since the key was picked: then the pool is looked at again.
                    var waiters = key.MaxConcurrency is null ? null : book.CircuitOf(Target.Provider.ProviderId).KeyWaiters;
                    // Or the place goes to a request that waited for it longer: then it is as if the key were full.
                    if (KeyLease.TryEnter(book.For(key, Target.Provider), key, waiters) is not { } lease
                        || waiters?.TryHandOverAhead(lease, waiter?.Ticket ?? long.MaxValue) == true)
                    {
                        AnyBusy = true;
                        continue;
                    }
                    waiter?.Leave();
                    return Take(lease, native);
                }
                Note(choice);
            }
            FinishTarget();
        }
        return false;
    }

    /// <summary>
    /// Puts <paramref name="waiter"/> in line for a key of each target this run looked at; false when it already was in
    /// line, or there was none to be in line for.
    /// </summary>
    public bool QueueForKey(KeyWaiter waiter)
    {
        if (waiter.IsQueued)
        {
            return false;
        }
        for (var i = 0; i < Math.Min(_order.Length, MaxQueuedTargets); i++)
        {
            if ((_lookedAt & (1UL << i)) != 0)
            {
                var target = _order[i];
                waiter.Join(target, book.CircuitOf(target.Provider.ProviderId).KeyWaiters, pinnedKeyName, visitorOnly, _nativeOnly?[i]);
            }
        }
        return waiter.IsQueued;
    }

    /// <summary>The current key failed with a retryable outcome.</summary>
    public void RecordFailure(UpstreamFailure failure)
    {
        book.RecordFailure(Target!.Provider, Key!, Target.UpstreamModel, failure, _failuresSeen);
        _targetFailed = true;
        if (book.For(Key!, Target.Provider).BlockedUntil(Target.UpstreamModel, book.Now) is { } until && until != DateTimeOffset.MaxValue)
        {
            EarliestRecovery = Earlier(EarliestRecovery, until);
        }
    }

    /// <summary>
    /// The next <see cref="TryNext"/> asks the current key again with <paramref name="plan"/>: the same request, changed
    /// after the upstream refused it for a reason of its own (not the key's), so no pool attempt is used up.
    /// </summary>
    public void RepeatWith(TPlan plan)
    {
        Plan = plan;
        _repeatKey = true;
    }

    /// <summary>The current key answered (success, or the caller's own mistake): the key and the target are healthy.</summary>
    public void RecordAnswered()
    {
        book.RecordSuccess(Target!.Provider, Key!);
        book.CircuitOf(Target.Provider.ProviderId).Close();
    }

    public void Dispose()
    {
        ReleaseLease();
        _handedPlace?.Lease.Release();
    }

    /// <summary>
    /// Makes <paramref name="lease"/>'s key, on the current target, the next attempt: at the target's native endpoint
    /// (<paramref name="nativeEndpoint"/>) when the key can call it, else at the main one.
    /// </summary>
    private bool Take(KeyLease lease, UpstreamEndpoint? nativeEndpoint)
    {
        _lease = lease;
        _failuresSeen = lease.Health.FailuresRecorded;
        Key = lease.Key;
        _tried.Add(Key.KeyId);
        _attemptsOnTarget++;
        Plan = nativeEndpoint is null || nativeEndpoint.BaseUrlFor(Key) is not null ? _targetPlan : MainPlan();
        return true;
    }

    /// <summary>The target's plan for its main endpoint, asked for once per target and only when a key that cannot call the native endpoint may need it.</summary>
    private TPlan? MainPlan()
    {
        if (!_mainPlanAsked)
        {
            _mainPlanAsked = true;
            _mainPlan = mainPlanFor?.Invoke(Target!);
        }
        return _mainPlan;
    }

    /// <summary>What a look at the pool that found no key says about the keys it passed over.</summary>
    private void Note(KeyChoice choice)
    {
        EarliestRecovery = Earlier(EarliestRecovery, choice.EarliestRecovery);
        AnyBusy |= choice.Busy;
        AnyBlocked |= choice.Blocked;
    }

    private void ReleaseLease()
    {
        _lease?.Release();
        _lease = null;
    }

    private bool MoveToNextTarget()
    {
        if (_index < 0 && _handedPlace is { } handed && Array.IndexOf(_order, handed.Target) is > 0 and var at)
        {
            // The place handed over is used at once: its target goes first.
            Array.Copy(_order, 0, _order, 1, at);
            _order[0] = handed.Target;
        }
        while (++_index < _order.Length)
        {
            var plan = planFor(_order[_index]);
            if (plan is not null)
            {
                AnyServable = true;
                Target = _order[_index];
                Plan = _targetPlan = plan;
                return true;
            }
        }
        return false;
    }

    private void FinishTarget()
    {
        if (_index < MaxQueuedTargets)
        {
            _lookedAt |= 1UL << _index;
            if (!_targetPlan!.Endpoint.IsMain && !(_mainPlanAsked && _mainPlan is not null))
            {
                _nativeOnly ??= new UpstreamEndpoint?[Math.Min(_order.Length, MaxQueuedTargets)];
                _nativeOnly[_index] = _targetPlan.Endpoint;
            }
        }
        if (_targetFailed)
        {
            book.CircuitOf(Target!.Provider.ProviderId).RecordPoolFailure(Target.Provider.Policy, book.Now);
        }
        Target = null;
        Plan = _targetPlan = _mainPlan = null;
        _mainPlanAsked = false;
        _attemptsOnTarget = 0;
        _targetFailed = false;
    }

    private static RouteTarget[] OrderByCircuit(IReadOnlyList<RouteTarget> targets, CooldownBook book)
    {
        if (targets.Count == 1)
        {
            return [targets[0]];
        }
        var now = book.Now;
        return [.. targets.OrderBy(target => book.CircuitOf(target.Provider.ProviderId).IsOpen(now))];
    }

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y ? (x <= y ? x : y) : a ?? b;
}
