namespace Keyway.Gateway;

/// <summary>
/// One issued key's requests and tokens in its current one-minute window, and its requests in flight. The window starts
/// with the first request after the previous one ended, and the key's limits apply to it as a whole. The lock is per key
/// and held for a few field updates, so only requests of the same key ever wait on each other.
/// </summary>
internal sealed class KeyRateWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private DateTimeOffset _start = DateTimeOffset.MinValue;
    private int _requests;
    private long _tokens;
    private int _inFlight;

    /// <summary>Takes a place among the key's requests in flight, unless <paramref name="max"/> are already.</summary>
    public bool TryEnter(int max)
    {
        if (Interlocked.Increment(ref _inFlight) <= max)
        {
            return true;
        }
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Counts one request when neither limit is reached; the state after it (or at the refusal) either way.</summary>
    public RateState TryCount(int? rpm, long? tpm, DateTimeOffset now)
    {
        lock (_gate)
        {
            Roll(now);
            var refused = rpm is { } r && _requests >= r ? RateRefusal.Requests
                : tpm is { } t && _tokens >= t ? RateRefusal.Tokens
                : RateRefusal.None;
            if (refused == RateRefusal.None)
            {
                _requests++;
            }
            return new RateState(refused, _requests, _tokens, _start + Length);
        }
    }

    /// <summary>Adds the real tokens of a finished request to the window it finished in.</summary>
    public void AddTokens(long tokens, DateTimeOffset now)
    {
        lock (_gate)
        {
            Roll(now);
            _tokens += tokens;
        }
    }

    private void Roll(DateTimeOffset now)
    {
        if (now >= _start + Length)
        {
            _start = now;
            _requests = 0;
            _tokens = 0;
        }
    }
}

internal enum RateRefusal
{
    None,
    Requests,
    Tokens,
}

/// <summary>A window's counts after an admission attempt, and when it ends.</summary>
internal readonly record struct RateState(RateRefusal Refused, int Requests, long Tokens, DateTimeOffset ResetAt);
