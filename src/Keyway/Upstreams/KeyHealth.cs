namespace Keyway.Upstreams;

/// <summary>
/// The in-memory health of one upstream key. Every change happens under a short lock with no await
/// inside; the in-flight count is kept with Interlocked, and a healthy key is recognised from volatile
/// fields, so the selection and success paths of a healthy key never take the lock. A max_concurrency counts the
/// key's requests in flight on this instance plus those the other instances last published (<see cref="OthersInFlight"/>).
/// A cooldown is only ever extended, never shortened, except by a reset (an admin reset or a successful probe), which
/// clears the key and stamps <see cref="KeyHealthState.ResetAt"/>: across instances, the later reset outranks every
/// state recorded before it.
/// </summary>
public sealed class KeyHealth(string keyId, string providerId)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _modelCooldowns = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _othersInFlight;
    private volatile bool _troubled;
    private volatile int _failuresRecorded;
    private int _consecutiveFailures;
    private int _credentialFailures;
    private DateTimeOffset? _cooldownUntil;
    private string? _quarantineReason;
    private DateTimeOffset? _quarantinedAt;
    private int? _lastStatus;
    private string? _lastError;
    private DateTimeOffset? _lastFailureAt;
    private DateTimeOffset? _resetAt;

    public string KeyId { get; } = keyId;
    public string ProviderId { get; } = providerId;
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The key's requests in flight on the other instances, as of the last exchange with them (0 with one instance).</summary>
    public int OthersInFlight => Volatile.Read(ref _othersInFlight);

    /// <summary>
    /// Failures recorded on this instance so far. An attempt notes it when it starts (<see cref="KeyLease"/>): when it has
    /// grown by the time the attempt fails, the attempt ran alongside an earlier failure of the key — a burst of requests
    /// meeting one outage or one rate limit — and its failure is no further evidence (<see cref="RecordFailure"/>).
    /// </summary>
    public int FailuresRecorded => _failuresRecorded;

    /// <summary>
    /// Takes one of the key's places for a request; false when <paramref name="cap"/> are already in flight here and on
    /// the other instances.
    /// </summary>
    internal bool TryEnter(int? cap)
    {
        if (cap is not { } limit)
        {
            Interlocked.Increment(ref _inFlight);
            return true;
        }
        var free = limit - Volatile.Read(ref _othersInFlight);
        var inFlight = Volatile.Read(ref _inFlight);
        while (inFlight < free)
        {
            var seen = Interlocked.CompareExchange(ref _inFlight, inFlight + 1, inFlight);
            if (seen == inFlight)
            {
                return true;
            }
            inFlight = seen;
        }
        return false;
    }

    internal void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Whether the key has all <paramref name="cap"/> places taken, here and on the other instances (never, without a cap).</summary>
    public bool IsFull(int? cap) => cap is { } limit && Volatile.Read(ref _inFlight) + Volatile.Read(ref _othersInFlight) >= limit;

    /// <summary>
    /// Whether the key has more than <paramref name="cap"/> requests in flight here and on the other instances: the other
    /// instances started some before this one saw them, so a place given back here is no place to hand on.
    /// </summary>
    internal bool IsOver(int? cap) => cap is { } limit && Volatile.Read(ref _inFlight) + Volatile.Read(ref _othersInFlight) > limit;

    /// <summary>
    /// Takes in the other instances' requests in flight (an exchange); true when there are fewer than before, so places
    /// may have freed. A full fence: a request that got in line for the key meanwhile is either seen by the caller, or
    /// sees the new count at its next look at the pool.
    /// </summary>
    internal bool SetOthersInFlight(int count) => Interlocked.Exchange(ref _othersInFlight, count) > count;

    /// <summary>When the key (for this model) can be used again; null when it can now, MaxValue while quarantined.</summary>
    public DateTimeOffset? BlockedUntil(string upstreamModel, DateTimeOffset now)
    {
        if (!_troubled)
        {
            return null;
        }
        lock (_gate)
        {
            if (_quarantineReason is not null)
            {
                return DateTimeOffset.MaxValue;
            }
            var until = _cooldownUntil;
            if (_modelCooldowns.TryGetValue(upstreamModel, out var modelUntil) && (until is null || modelUntil > until))
            {
                until = modelUntil;
            }
            return until > now ? until : null;
        }
    }

    /// <summary>
    /// Records a failure and cools or quarantines the key when the policy says so; returns what changed. The failure
    /// counts grow only when no other failure was recorded since the attempt started (<paramref name="failuresSeen"/>,
    /// its <see cref="FailuresRecorded"/> then; null: counted): eight requests in flight when the upstream starts
    /// answering 429 or 500 are one failure of the key, not eight in a row. A rate limit never quarantines: a key that
    /// answers 429 is working, only busy, and its cooldowns already keep it out of the way until it is free.
    /// The one key that can serve a model (<paramref name="soleKey"/>) is not cooled by consecutive failures: no other key
    /// would take its requests, so a cooldown after two passing errors (an upstream's 502s, a dropped connection) would
    /// turn them into a refusal of every request for a minute, while the clients' own retries would have got through.
    /// What the upstream says about the key itself still cools it (a credential or quota refusal, a 429 with
    /// Retry-After), and an outage still quarantines it.
    /// </summary>
    public KeyHealthChange RecordFailure(
        UpstreamFailure failure, string upstreamModel, FailoverPolicy policy, DateTimeOffset now, int? failuresSeen = null, bool soleKey = false)
    {
        lock (_gate)
        {
            var wasBlocked = IsBlockedLocked(upstreamModel, now);
            _troubled = true;
            if (failuresSeen is not { } seen || seen == _failuresRecorded)
            {
                _consecutiveFailures++;
                if (failure.Class == FailureClass.Credential)
                {
                    _credentialFailures++;
                }
            }
            _failuresRecorded++;
            _lastStatus = failure.Status;
            _lastError = failure.Message.Length > 300 ? failure.Message[..300] : failure.Message;
            _lastFailureAt = now;
            if (failure.Class.CoolsAtOnce(failure.RetryAfter is not null) || (!soleKey && _consecutiveFailures >= policy.KeyFailureThreshold))
            {
                var until = now + (failure.RetryAfter ?? policy.KeyCooldown);
                if (failure.ModelScoped)
                {
                    _modelCooldowns[upstreamModel] = Max(_modelCooldowns.GetValueOrDefault(upstreamModel), until);
                }
                else
                {
                    _cooldownUntil = Later(_cooldownUntil, until);
                }
            }
            if (_quarantineReason is null && failure.Class != FailureClass.RateLimit
                && (_consecutiveFailures >= policy.QuarantineAfterFailures || _credentialFailures >= policy.QuarantineAfterCredentialFailures))
            {
                _quarantineReason = _credentialFailures >= policy.QuarantineAfterCredentialFailures
                    ? $"refused the credential {_credentialFailures} times (last {failure.Status})"
                    : $"failed {_consecutiveFailures} times in a row (last: {_lastError})";
                _quarantinedAt = now;
                return KeyHealthChange.Quarantined;
            }
            return !wasBlocked && IsBlockedLocked(upstreamModel, now) ? KeyHealthChange.Cooled : KeyHealthChange.None;
        }
    }

    private bool IsBlockedLocked(string upstreamModel, DateTimeOffset now) =>
        _quarantineReason is not null || _cooldownUntil > now || _modelCooldowns.GetValueOrDefault(upstreamModel) > now;

    /// <summary>
    /// Resets the failure counts and forgets expired cooldowns; true when there were failures (a change worth persisting).
    /// The last failure's status, message and time stay as they were, one event: a success's status beside an older
    /// failure's message would read as a failure that never happened.
    /// </summary>
    public bool RecordSuccess(DateTimeOffset now)
    {
        if (!_troubled)
        {
            return false;
        }
        lock (_gate)
        {
            var hadFailures = _consecutiveFailures > 0;
            _consecutiveFailures = 0;
            _credentialFailures = 0;
            if (_cooldownUntil <= now)
            {
                _cooldownUntil = null;
            }
            foreach (var model in _modelCooldowns.Where(pair => pair.Value <= now).Select(pair => pair.Key).ToList())
            {
                _modelCooldowns.Remove(model);
            }
            _troubled = _cooldownUntil is not null || _modelCooldowns.Count > 0 || _quarantineReason is not null;
            return hadFailures;
        }
    }

    /// <summary>The last reset of this key, or null when it was never reset.</summary>
    public DateTimeOffset? ResetAt
    {
        get
        {
            lock (_gate)
            {
                return _resetAt;
            }
        }
    }

    /// <summary>Clears cooldown, quarantine and counters (an admin reset or a successful probe) as of <paramref name="resetAt"/>.</summary>
    public void Clear(DateTimeOffset resetAt)
    {
        lock (_gate)
        {
            ClearLocked(Later(_resetAt, resetAt));
        }
    }

    public KeyHealthState Snapshot()
    {
        lock (_gate)
        {
            return new KeyHealthState(
                KeyId, ProviderId, _consecutiveFailures, _credentialFailures, _cooldownUntil,
                new Dictionary<string, DateTimeOffset>(_modelCooldowns, StringComparer.Ordinal),
                _quarantineReason, _quarantinedAt, _lastStatus, _lastError, _lastFailureAt, _resetAt);
        }
    }

    /// <summary>Loads persisted state at start-up; an active cooldown already in memory is kept if it is later.</summary>
    public void Restore(KeyHealthState state)
    {
        lock (_gate)
        {
            _consecutiveFailures = state.ConsecutiveFailures;
            _credentialFailures = state.CredentialFailures;
            _cooldownUntil = Later(_cooldownUntil, state.CooldownUntil);
            foreach (var (model, until) in state.ModelCooldowns)
            {
                _modelCooldowns[model] = Max(_modelCooldowns.GetValueOrDefault(model), until);
            }
            _quarantineReason = state.QuarantineReason;
            _quarantinedAt = state.QuarantinedAt;
            _lastStatus = state.LastStatus;
            _lastError = state.LastError;
            _lastFailureAt = state.LastFailureAt;
            _resetAt = state.ResetAt;
            _troubled = true;
        }
    }

    /// <summary>
    /// Takes in the state another instance stored (scale-out): cooldowns only ever extend; the failure counts,
    /// last failure and a quarantine come along when that instance saw a later failure than this one. A state stored
    /// with a later reset than this key's clears it first; one stored before this key's last reset is out of date
    /// (whoever reset here has not written it yet) and is ignored. True when the state brought a newer reset.
    /// </summary>
    public bool Merge(KeyHealthState state)
    {
        lock (_gate)
        {
            if (IsLater(_resetAt, state.ResetAt))
            {
                return false;
            }
            var reset = IsLater(state.ResetAt, _resetAt);
            if (reset)
            {
                ClearLocked(state.ResetAt);
            }
            var changed = state.CooldownUntil > _cooldownUntil || (_cooldownUntil is null && state.CooldownUntil is not null);
            _cooldownUntil = Later(_cooldownUntil, state.CooldownUntil);
            foreach (var (model, until) in state.ModelCooldowns)
            {
                changed |= !_modelCooldowns.TryGetValue(model, out var current) || until > current;
                _modelCooldowns[model] = Max(_modelCooldowns.GetValueOrDefault(model), until);
            }
            if (state.LastFailureAt is { } failedAt && (_lastFailureAt is null || failedAt > _lastFailureAt))
            {
                changed = true;
                _consecutiveFailures = state.ConsecutiveFailures;
                _credentialFailures = state.CredentialFailures;
                _lastStatus = state.LastStatus;
                _lastError = state.LastError;
                _lastFailureAt = failedAt;
                if (_quarantineReason is null && state.QuarantineReason is not null)
                {
                    _quarantineReason = state.QuarantineReason;
                    _quarantinedAt = state.QuarantinedAt;
                }
            }
            if (changed)
            {
                _troubled = true;
            }
            return reset;
        }
    }

    private void ClearLocked(DateTimeOffset? resetAt)
    {
        _consecutiveFailures = 0;
        _credentialFailures = 0;
        _cooldownUntil = null;
        _modelCooldowns.Clear();
        _quarantineReason = null;
        _quarantinedAt = null;
        _resetAt = resetAt;
        _troubled = false;
    }

    private static bool IsLater(DateTimeOffset? candidate, DateTimeOffset? than) => candidate is { } c && (than is null || c > than);

    private static DateTimeOffset? Later(DateTimeOffset? current, DateTimeOffset? candidate) =>
        current is { } a && candidate is { } b ? Max(a, b) : current ?? candidate;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}

/// <summary>What a recorded failure did to the key: nothing new, a cooldown that makes it unusable for now, or a quarantine.</summary>
public enum KeyHealthChange
{
    None,
    Cooled,
    Quarantined,
}

/// <summary>A key's health at one moment: what the admin API shows and what the cooldown store persists.</summary>
public sealed record KeyHealthState(
    string KeyId,
    string ProviderId,
    int ConsecutiveFailures,
    int CredentialFailures,
    DateTimeOffset? CooldownUntil,
    IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns,
    string? QuarantineReason,
    DateTimeOffset? QuarantinedAt,
    int? LastStatus,
    string? LastError,
    DateTimeOffset? LastFailureAt,
    DateTimeOffset? ResetAt);
