namespace Keyway.Gateway;

/// <summary>
/// Waiting for a key (a provider's key_wait_seconds): when no key of the route's pools took the request — each at its
/// max_concurrency, cooling down or quarantined — it gets in line for a key of each and sleeps until a place given back,
/// or freed by the other instances (found by the exchange, <see cref="UpstreamKeyInFlight"/>), is handed over to it or a
/// cooldown ends, then the attempt loop looks at the pools again, until the wait is over (<see cref="RequestKeyWait"/>,
/// shared with the Responses WebSocket).
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <summary>
    /// One sleep of <paramref name="keyWait"/>, counted out of the gateway's added time; false when the client went away
    /// meanwhile (recorded as such) or the drain window ended (answered and recorded as a request in flight then is).
    /// </summary>
    private async Task<bool> WaitForKeyAsync(ProxyExchange exchange, RequestKeyWait keyWait, DateTimeOffset? earliestRecovery)
    {
        var started = time.GetTimestamp();
        var wake = await keyWait.SleepAsync(earliestRecovery, exchange.Aborted);
        exchange.Telemetry.KeyWaited(time.GetElapsedTime(started));
        switch (wake)
        {
            case KeyWaitWake.ClientLeft:
                Record(exchange, ForwardError.ClientCanceled, "client closed the request while it waited for an upstream key");
                return false;
            case KeyWaitWake.DrainEnded:
                await FailForDrainAsync(exchange);
                return false;
            default:
                return true;
        }
    }
}
