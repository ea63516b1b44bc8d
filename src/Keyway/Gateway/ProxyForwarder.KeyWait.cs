using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Waiting for a key (a provider's key_wait_seconds): when no key of the route's pools took the request — each at its
/// max_concurrency, cooling down or quarantined — it sleeps until a key gives back a place or a cooldown ends, then the
/// attempt loop looks at the pools again, until the wait is over.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <summary>The longest a request waiting for a key sleeps before it looks at the pools again.</summary>
    private static readonly TimeSpan MaxKeyWaitStep = TimeSpan.FromSeconds(1);

    /// <summary>Whether waiting can give the request a key before <paramref name="waitUntil"/>: a place frees, or a cooldown ends in time.</summary>
    private bool KeyMayFreeBefore(FailoverRun<RelayPlan> run, DateTimeOffset waitUntil) =>
        run.AnyServable && time.GetUtcNow() < waitUntil && (run.AnyBusy || run.EarliestRecovery < waitUntil);

    private Task KeyFreed(RouteEntry route) => route.Targets.Count == 1
        ? cooldowns.CircuitOf(route.Targets[0].Provider.ProviderId).KeyFreed()
        : Task.WhenAny(route.Targets.Select(target => cooldowns.CircuitOf(target.Provider.ProviderId).KeyFreed()));

    /// <summary>
    /// Waits until a key gives back a place, the earliest cooldown ends, the wait's end, or a second at most (a key an admin
    /// reset or added is seen then); false when the client went away meanwhile (recorded as such).
    /// </summary>
    private async Task<bool> WaitForKeyAsync(ProxyExchange exchange, Task keyFreed, DateTimeOffset? earliestRecovery, DateTimeOffset waitUntil)
    {
        var now = time.GetUtcNow();
        var wakeAt = Earliest(waitUntil, earliestRecovery ?? waitUntil, now + MaxKeyWaitStep);
        var targets = exchange.Route!.Targets;
        foreach (var target in targets)
        {
            cooldowns.CircuitOf(target.Provider.ProviderId).BeginWait();
        }
        var started = time.GetTimestamp();
        try
        {
            await keyFreed.WaitAsync(wakeAt - now, time, exchange.Aborted);
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
            foreach (var target in targets)
            {
                cooldowns.CircuitOf(target.Provider.ProviderId).EndWait();
            }
        }
        return true;
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b, DateTimeOffset c) => a < b ? (a < c ? a : c) : (b < c ? b : c);
}
