using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Why no key of a route's pools took a request, as the client is told, and when it may try again (its Retry-After;
/// null when nothing says). <paramref name="Cooling"/>: the keys passed over are cooling or quarantined.
/// </summary>
internal readonly record struct KeyShortage(ForwardError Error, string Message, DateTimeOffset? RetryAt, bool Cooling = false)
{
    /// <summary>A place frees as soon as one of the busy keys' requests ends.</summary>
    private static readonly TimeSpan BusyRetry = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Keys at their max_concurrency free soonest (429, retry in a second); cooling or quarantined keys come back later
    /// (503, retry when the earliest cooldown ends, or at the next probe when only quarantined keys, whose recovery is
    /// unknown, were passed over: <paramref name="probeInterval"/>); with neither, no key of the pools could ever serve
    /// the request (503, nothing to wait for).
    /// </summary>
    public static KeyShortage Of<TPlan>(FailoverRun<TPlan> run, string alias, DateTimeOffset now, TimeSpan probeInterval)
        where TPlan : class, IEndpointPlan =>
        run.AnyBusy ? new(ForwardError.AllKeysBusy, GatewayMessages.AllKeysBusy(alias), now + BusyRetry)
        : run.AnyBlocked ? new(ForwardError.NoUsableKey, GatewayMessages.AllKeysCooling(alias), run.EarliestRecovery ?? now + probeInterval, Cooling: true)
        : new(ForwardError.NoUsableKey, GatewayMessages.NoKeyServes(alias), run.EarliestRecovery);
}
