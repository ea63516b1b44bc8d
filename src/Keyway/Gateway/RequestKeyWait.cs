using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// One request's wait for a key (the route's key_wait_seconds), shared by the HTTP attempt loop and the Responses
/// WebSocket: after a look at the pools that found no key, <see cref="Next"/> says whether waiting can still give it one
/// — a place frees, or a cooldown ends before the wait does — and gets the request in line for a key of each pool
/// (<see cref="KeyWaiter"/>, waiters being served in the order they came); <see cref="SleepAsync"/> then sleeps until a
/// place is handed over to it, a cooldown ends, the wait ends, or a second at most (a key an admin reset or added is
/// seen then), and the caller looks at the pools again — unless the drain window of a graceful stop ended meanwhile.
/// A struct held by the request's own method, so a request that never waits allocates nothing for it.
/// </summary>
internal struct RequestKeyWait(TimeSpan limit, TimeProvider time, GatewayDrain drain)
{
    /// <summary>The longest a request waiting for a key sleeps before it looks at the pools again.</summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromSeconds(1);

    private DateTimeOffset _until;

    /// <summary>The request's place in the lines; null until it first has to wait. Its next run starts with a place handed over to it.</summary>
    public KeyWaiter? Waiter { get; private set; }

    /// <summary>What the request does after <paramref name="run"/> found no key; the wait's end is counted from its first call.</summary>
    public KeyWaitStep Next<TPlan>(FailoverRun<TPlan> run)
        where TPlan : class, IEndpointPlan
    {
        var now = time.GetUtcNow();
        if (_until == default)
        {
            _until = now + limit;
        }
        if (limit <= TimeSpan.Zero || !run.AnyServable || now >= _until || !(run.AnyBusy || run.EarliestRecovery < _until))
        {
            return KeyWaitStep.GiveUp;
        }
        Waiter ??= new KeyWaiter();
        // Just got in line: the pools are looked at once more, so a place given back since this look is not missed.
        return run.QueueForKey(Waiter) ? KeyWaitStep.LookAgain : KeyWaitStep.Sleep;
    }

    /// <summary>
    /// Sleeps after <see cref="Next"/> said <see cref="KeyWaitStep.Sleep"/>, until a place is handed over, it is time to look
    /// again, <paramref name="aborted"/> ends it (the client went away) or the drain window ends.
    /// </summary>
    public readonly async Task<KeyWaitWake> SleepAsync(DateTimeOffset? earliestRecovery, CancellationToken aborted)
    {
        var now = time.GetUtcNow();
        var wakeAt = Earliest(_until, earliestRecovery ?? _until, now + MaxStep);
        try
        {
            // The drain's end is raced, not linked into a token: only a request that sleeps pays for watching it.
            await Task.WhenAny(Waiter!.Served, drain.WhenEnded).WaitAsync(wakeAt - now, time, aborted);
        }
        catch (TimeoutException)
        {
            // Time to look at the pools again.
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return KeyWaitWake.ClientLeft;
        }
        return drain.HasEnded ? KeyWaitWake.DrainEnded : KeyWaitWake.LookAgain;
    }

    /// <summary>Leaves every line, passing on a place handed over meanwhile: a request that stops waiting frees only what it was given.</summary>
    public readonly void Leave() => Waiter?.Leave();

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b, DateTimeOffset c) => a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/// <summary>What a request whose look at the pools found no key does next.</summary>
internal enum KeyWaitStep
{
    /// <summary>Waiting cannot give it a key in time (no wait, the wait is over, nothing busy and no cooldown ends before): it answers with the shortage.</summary>
    GiveUp,

    /// <summary>It just got in line: it looks at the pools once more before it sleeps.</summary>
    LookAgain,

    /// <summary>It sleeps (<see cref="RequestKeyWait.SleepAsync"/>), then looks again.</summary>
    Sleep,
}

/// <summary>How a sleep of <see cref="RequestKeyWait.SleepAsync"/> ended.</summary>
internal enum KeyWaitWake
{
    /// <summary>A place was handed over, a cooldown ended or it was time: the request looks at the pools again.</summary>
    LookAgain,

    /// <summary>The client went away: nothing to answer.</summary>
    ClientLeft,

    /// <summary>The drain window of a graceful stop ended: the request is answered 503, as one in flight is.</summary>
    DrainEnded,
}
