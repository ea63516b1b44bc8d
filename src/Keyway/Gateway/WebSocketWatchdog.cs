namespace Keyway.Gateway;

/// <summary>
/// Decides when the gateway ends an open Responses WebSocket, or a response on it, on its own: when its issued key no
/// longer authenticates (disabled, deleted, expired, its group disabled); when it has been idle — no response running
/// and no message either way — for KEYWAY_WEBSOCKET_IDLE_SECONDS; and when the upstream has sent nothing for a running
/// response for the provider's timeout, the bound an HTTP stream the upstream stops feeding gets (<see cref="SseRelay"/>).
/// The key is checked again each time the routing table is replaced (a change on this instance or, on PostgreSQL, on
/// another one) and at its expiry, so a message costs one timestamp (<see cref="Touch"/>) and no lookup; an idle socket is
/// looked at when its idle time would be up.
/// </summary>
internal sealed class WebSocketWatchdog(HttpContext context, RoutingTableHolder routing, TimeSpan idleTimeout, TimeProvider time)
{
    private long _lastMessageAt = time.GetTimestamp();
    private long _lastUpstreamAt = time.GetTimestamp();

    /// <summary>A message went one way or the other.</summary>
    public void Touch() => Volatile.Write(ref _lastMessageAt, time.GetTimestamp());

    /// <summary>The upstream sent a message, or was sent a response to answer: a running response's silence counts from now.</summary>
    public void HeardFromUpstream()
    {
        Volatile.Write(ref _lastUpstreamAt, time.GetTimestamp());
        Touch();
    }

    /// <summary>
    /// Completes when the socket or its running response must end: with the key's refusal (401, as the next response
    /// would get it); with <see cref="WatchdogAlarm.ResponseStalled"/> when a response runs (<paramref name="responseRunning"/>)
    /// and the upstream has sent nothing for <paramref name="responseTimeout"/>; or with neither when the socket is idle
    /// (no response running and no message for the idle timeout), or once <paramref name="stop"/> is canceled, when its
    /// answer no longer matters.
    /// </summary>
    public async Task<WatchdogAlarm> WatchAsync(Func<bool> responseRunning, TimeSpan? responseTimeout, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            // Taken before the table is read, so a table replaced from here on wakes the wait below.
            var replaced = routing.Replaced;
            var now = time.GetUtcNow();
            var auth = GatewayAuth.Authenticate(context.Request, routing.Current, now);
            if (auth.Key is not { } key)
            {
                return new(new WebSocketRefusal(StatusCodes.Status401Unauthorized, auth.Error!, "invalid_api_key"));
            }
            var idleFor = time.GetElapsedTime(Volatile.Read(ref _lastMessageAt));
            var running = responseRunning();
            if (idleFor >= idleTimeout && !running)
            {
                return default;
            }
            // A response running past the idle time is looked at again one idle time later.
            var wake = idleFor >= idleTimeout ? idleTimeout : idleTimeout - idleFor;
            if (responseTimeout is { } timeout)
            {
                var silentFor = time.GetElapsedTime(Volatile.Read(ref _lastUpstreamAt));
                if (running && silentFor >= timeout)
                {
                    return new(ResponseStalled: true);
                }
                // Looked at within one timeout even with no response running, so a response sent during this wait is
                // looked at again before its own timeout is up.
                var stallIn = running ? timeout - silentFor : timeout;
                wake = stallIn < wake ? stallIn : wake;
            }
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
        return default;
    }
}

/// <summary>
/// Why <see cref="WebSocketWatchdog"/> woke its socket's relay: the key's refusal, a running response the upstream
/// stopped feeding, or (neither) an idle socket.
/// </summary>
internal readonly record struct WatchdogAlarm(WebSocketRefusal? KeyRefusal = null, bool ResponseStalled = false);
