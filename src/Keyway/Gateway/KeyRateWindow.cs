using Keyway.Storage;

namespace Keyway.Gateway;

/// <summary>
/// One issued key's requests and tokens in its current one-minute window, and its requests in flight, on this instance,
/// plus what the other instances last published of the same key (<see cref="KeyRateWindows"/>); the key's limits apply
/// to the sum. The window starts with the first request after the previous one ended, or at the start of another
/// instance's running window, so the instances' windows line up. The lock is per key and held for a few field updates,
/// so only requests of the same key ever wait on each other.
/// </summary>
internal sealed class KeyRateWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private DateTimeOffset _start = DateTimeOffset.MinValue;
    private int _requests;
    private long _tokens;
    private int _inFlight;
    private long _version;
    private KeyRateShare[] _others = [];

    /// <summary>
    /// Takes a place among the key's requests in flight, unless <paramref name="max"/> are already, counting the other
    /// instances' requests in flight as they last published them.
    /// </summary>
    public bool TryEnter(int max, DateTimeOffset now)
    {
        var others = OthersInFlight(now);
        Interlocked.Increment(ref _version);
        if (Interlocked.Increment(ref _inFlight) + others <= max)
        {
            return true;
        }
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Leave()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _version);
    }

    /// <summary>Counts one request when neither limit is reached; the state after it (or at the refusal) either way.</summary>
    public RateState TryCount(int? rpm, long? tpm, DateTimeOffset now)
    {
        lock (_gate)
        {
            Roll(now);
            var (otherRequests, otherTokens) = OthersInWindow(now);
            var requests = _requests + otherRequests;
            var tokens = _tokens + otherTokens;
            var refused = rpm is { } r && requests >= r ? RateRefusal.Requests
                : tpm is { } t && tokens >= t ? RateRefusal.Tokens
                : RateRefusal.None;
            if (refused == RateRefusal.None)
            {
                _requests++;
                requests++;
                Interlocked.Increment(ref _version);
            }
            return new RateState(refused, requests, tokens, _start + Length);
        }
    }

    /// <summary>Adds the real tokens of a finished request to the window it finished in.</summary>
    public void AddTokens(long tokens, DateTimeOffset now)
    {
        lock (_gate)
        {
            Roll(now);
            _tokens += tokens;
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>
    /// The counts the limits see at <paramref name="now"/>, counting nothing: requests and tokens in the running window
    /// (none once it ran out) and requests in flight, this instance's plus the others' as last exchanged.
    /// </summary>
    public KeyRateNow Read(DateTimeOffset now)
    {
        var (otherRequests, otherTokens) = OthersInWindow(now);
        var inFlight = Volatile.Read(ref _inFlight) + OthersInFlight(now);
        lock (_gate)
        {
            var running = now < _start + Length;
            // A window that ran out here starts again at another instance's running one (see Roll), so that one's end counts.
            var resetAt = running ? _start + Length : Volatile.Read(ref _others)
                .Where(other => other.WindowStart + Length > now)
                .Select(other => (DateTimeOffset?)(other.WindowStart + Length))
                .Min();
            return new KeyRateNow((running ? _requests : 0) + otherRequests, (running ? _tokens : 0) + otherTokens, inFlight, resetAt);
        }
    }

    /// <summary>What this instance publishes of the key, and the version it is (a change of any count bumps it).</summary>
    public (KeyRateShare Share, long Version) Share(string keyId, DateTimeOffset now)
    {
        // The version first: a change racing the copy is then published again next time, never skipped.
        var version = Interlocked.Read(ref _version);
        lock (_gate)
        {
            return (new KeyRateShare(keyId, _start, _requests, _tokens, Volatile.Read(ref _inFlight), now), version);
        }
    }

    /// <summary>Replaces what the other instances published of the key (their rows of the last exchange).</summary>
    public void SetOthers(KeyRateShare[] others) => Volatile.Write(ref _others, others);

    private void Roll(DateTimeOffset now)
    {
        if (now < _start + Length)
        {
            return;
        }
        _start = now;
        foreach (var other in Volatile.Read(ref _others))
        {
            if (other.WindowStart + Length > now && other.WindowStart < _start)
            {
                _start = other.WindowStart;
            }
        }
        _requests = 0;
        _tokens = 0;
    }

    /// <summary>The other instances' requests and tokens in windows still running at <paramref name="now"/>.</summary>
    private (long Requests, long Tokens) OthersInWindow(DateTimeOffset now)
    {
        var (requests, tokens) = (0L, 0L);
        foreach (var other in Volatile.Read(ref _others))
        {
            if (other.WindowStart + Length > now)
            {
                requests += other.Requests;
                tokens += other.Tokens;
            }
        }
        return (requests, tokens);
    }

    /// <summary>The other instances' requests in flight, from rows recent enough to show a live instance.</summary>
    private long OthersInFlight(DateTimeOffset now) => KeyRateWindows.LiveInFlight(Volatile.Read(ref _others), now);
}

internal enum RateRefusal
{
    None,
    Requests,
    Tokens,
}

/// <summary>A key's counts across instances after an admission attempt, and when its window ends.</summary>
internal readonly record struct RateState(RateRefusal Refused, long Requests, long Tokens, DateTimeOffset ResetAt);
