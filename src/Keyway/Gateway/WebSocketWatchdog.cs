namespace Keyway.Gateway;

/// <summary>
/// Decides when the gateway ends an open Responses WebSocket on its own: when its issued key no longer authenticates
/// (disabled, deleted, expired, its group disabled), and when it has been idle — no response running and no message
/// either way — for KEYWAY_WEBSOCKET_IDLE_SECONDS. The key is checked again each time the routing table is replaced
/// (a change on this instance or, on PostgreSQL, on another one) and at its expiry, so a message costs one timestamp
/// (<see cref="Touch"/>) and no lookup; an idle socket is looked at when its idle time would be up.
/// </summary>
internal sealed class WebSocketWatchdog(HttpContext context, RoutingTableHolder routing, TimeSpan idleTimeout, TimeProvider time)
{
    private long _lastMessageAt = time.GetTimestamp();

    /// <summary>A message went one way or the other.</summary>
    public void Touch() => Volatile.Write(ref _lastMessageAt, time.GetTimestamp());

    /// <summary>
    /// Completes when the socket must end: with the key's refusal (401, as the next response would get it), or null when
    /// it is idle (<paramref name="responseRunning"/> false and no message for the idle timeout); or null once
    /// <paramref name="stop"/> is canceled, when its answer no longer matters.
    /// </summary>
    public async Task<WebSocketRefusal?> WatchAsync(Func<bool> responseRunning, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            // Taken before the table is read, so a table replaced from here on wakes the wait below.
            var replaced = routing.Replaced;
            var now = time.GetUtcNow();
            var auth = GatewayAuth.Authenticate(context.Request, routing.Current, now);
            if (auth.Key is not { } key)
            {
                return new WebSocketRefusal(StatusCodes.Status401Unauthorized, auth.Error!, "invalid_api_key");
            }
            var idleFor = time.GetElapsedTime(Volatile.Read(ref _lastMessageAt));
            if (idleFor >= idleTimeout && !responseRunning())
            {
                return null;
            }
            // A response running past the idle time is looked at again one idle time later.
            var wake = idleFor >= idleTimeout ? idleTimeout : idleTimeout - idleFor;
            if (key.ExpiresAt is { } expiresAt && expiresAt - now < wake)
            {
                wake = expiresAt - now;
            }
            // A wait the table's replacement ends is canceled, so a socket does not keep a timer per configuration change.
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop);
            if (await Task.WhenAny(replaced, Task.Delay(wake, time, waiting.Token)) == replaced)
            {
                await waiting.CancelAsync();
            }
        }
        return null;
    }
}
