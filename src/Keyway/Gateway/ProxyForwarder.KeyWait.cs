using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Waiting for a key (a provider's key_wait_seconds): when no key of the route's pools took the request — each at its
/// max_concurrency, cooling down or quarantined — it gets in line for a key of each (<see cref="KeyWaiter"/>) and sleeps
/// until a place given back, or freed by the other instances (found by the exchange, <see cref="UpstreamKeyInFlight"/>),
/// is handed over to it (waiters are served in the order they came) or a cooldown ends, then the attempt loop looks at
/// the pools again, until the wait is over.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <summary>The longest a request waiting for a key sleeps before it looks at the pools again.</summary>
    private static readonly TimeSpan MaxKeyWaitStep = TimeSpan.FromSeconds(1);

    /// <summary>Whether waiting can give the request a key before <paramref name="waitUntil"/>: a place frees, or a cooldown ends in time.</summary>
    private bool KeyMayFreeBefore(FailoverRun<RelayPlan> run, DateTimeOffset waitUntil) =>
        run.AnyServable && time.GetUtcNow() < waitUntil && (run.AnyBusy || run.EarliestRecovery < waitUntil);

    /// <summary>
    /// Waits until a place is handed over to <paramref name="waiter"/>, the earliest cooldown ends, the wait's end, or a
    /// second at most (a key an admin reset or added is seen then); false when the client went away meanwhile (recorded as such).
    /// </summary>
    private async Task<bool> WaitForKeyAsync(ProxyExchange exchange, KeyWaiter waiter, DateTimeOffset? earliestRecovery, DateTimeOffset waitUntil)
    {
        var now = time.GetUtcNow();
        var wakeAt = Earliest(waitUntil, earliestRecovery ?? waitUntil, now + MaxKeyWaitStep);
        var started = time.GetTimestamp();
        try
        {
            await waiter.Served.WaitAsync(wakeAt - now, time, exchange.Aborted);
        }
        catch (TimeoutException)
        {
            // Time to look at the pools again.
        }
        catch (OperationCanceledException) when (exchange.Aborted.IsCancellationRequested)
        {
            Record(exchange, ForwardError.ClientCanceled, "client closed the request while it waited for an upstream key");
            return false;
        }
        finally
        {
            exchange.Telemetry.KeyWaited(time.GetElapsedTime(started));
        }
        return true;
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b, DateTimeOffset c) => a < b ? (a < c ? a : c) : (b < c ? b : c);
}
