using System.Globalization;
using System.Net.WebSockets;
using Keyway.Protocols;
using Keyway.Telemetry;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// GET /v1/responses with a WebSocket upgrade (the Responses WebSocket mode): relayed to the route's provider when it
/// speaks Responses and has the <c>websocket</c> flag. With the alias in the <c>model</c> query parameter, everything
/// that can fail is checked before the client's upgrade is accepted, so a refusal is a plain HTTP error and the client
/// falls back to HTTP streaming. Standard clients (OpenAI SDK, Codex) name the model only in their first
/// <c>response.create</c>: the upgrade is then accepted when the key's group has any WebSocket route, the route is
/// resolved from that first frame, and a failure from there on is an <c>error</c> event followed by a close. A refusal
/// after authentication gets a request-log row, as an HTTP request's does. When the drain window of a graceful stop ends,
/// a socket still open is ended by the gateway as an HTTP request in flight is (<see cref="GatewayDrain"/>). A socket
/// whose key no longer authenticates, or idle for too long, is ended too (<see cref="WebSocketWatchdog"/>), and one key
/// holds at most KEYWAY_WEBSOCKETS_PER_KEY sockets (<see cref="IssuedKeySockets"/>).
/// </summary>
internal sealed partial class ResponsesWebSocketRelay(
    RoutingTableHolder routing, CooldownBook cooldowns, RequestLogQueue logs, KeyUsageTracker keyUsage, KeyPolicyGate keyPolicy, GatewayDrain drain,
    IssuedKeySockets sockets, KeyAuthenticator authenticator, Configuration.KeywayOptions options, TimeProvider time, ILogger<ResponsesWebSocketRelay> logger)
{
    public async Task RelayAsync(HttpContext context)
    {
        var startedAt = time.GetTimestamp();
        // 1. only an upgrade, 2. authenticate
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, new(StatusCodes.Status400BadRequest, WebSocketMessages.UpgradeRequired));
            return;
        }
        var table = routing.Current;
        var auth = authenticator.Authenticate(context.Request, table);
        if (auth.Key is not { } key)
        {
            await RefuseAsync(context, new(StatusCodes.Status401Unauthorized, auth.Error!, "invalid_api_key"));
            return;
        }
        keyUsage.Touch(key.KeyId, time.GetUtcNow());
        var caller = new WebSocketCaller(context, key, startedAt, new WebSocketWatchdog(context, routing, options.WebSocketIdleTimeout, time));
        using var socketPlace = sockets.TryEnter(key.KeyId, options.WebSocketsPerKey);
        if (socketPlace is null)
        {
            Log.TooManySockets(logger, key.KeyId, options.WebSocketsPerKey);
            var tooMany = new WebSocketRefusal(StatusCodes.Status429TooManyRequests, WebSocketMessages.TooManySockets(options.WebSocketsPerKey), "rate_limit_exceeded");
            await RefuseAsync(context, LogRefusal(caller, tooMany));
            return;
        }
        var alias = context.Request.Query["model"].ToString();
        // 3. the alias in the query: resolve and open the upstream before accepting, so every refusal is HTTP
        if (alias.Length > 0)
        {
            await RelayQueryAliasAsync(caller, table, alias);
            return;
        }
        // 4. the alias in the first frame: refuse before the upgrade only when no route of the group could serve it
        if (!table.RoutesOf(key.GroupId).Any(route => WebSocketTarget(route) is not null))
        {
            await RefuseAsync(context, LogRefusal(caller, new(StatusCodes.Status400BadRequest, WebSocketMessages.NoWebSocketRoute(key.GroupId))));
            return;
        }
        using var client = await context.WebSockets.AcceptWebSocketAsync();
        await RelayFirstFrameAliasAsync(caller, client, table);
    }

    private async Task RelayQueryAliasAsync(WebSocketCaller caller, RoutingTable table, string alias)
    {
        var context = caller.Context;
        var resolution = await ResolveAsync(caller, table, alias, new ClientWatch(null, context.RequestAborted));
        if (resolution.Route is not { } resolved)
        {
            if (resolution.Refusal != ClientLeft)
            {
                await RefuseAsync(context, resolution.Refusal);
            }
            return;
        }
        using var run = resolution.Run!;
        var connected = await ConnectAsync(caller, resolved, run);
        if (connected.Upstream is not { } upstream)
        {
            if (connected.Refusal != ClientLeftConnecting)
            {
                await RefuseAsync(context, connected.Refusal);
            }
            return;
        }
        using (upstream)
        {
            using var client = await context.WebSockets.AcceptWebSocketAsync();
            using var sends = new SemaphoreSlim(1, 1);
            await RunAsync(caller, client, upstream, connected.Resolved, run, sends, firstFrame: null, pendingReceive: null);
        }
    }

    private async Task RelayFirstFrameAliasAsync(WebSocketCaller caller, WebSocket client, RoutingTable table)
    {
        var context = caller.Context;
        using var sends = new SemaphoreSlim(1, 1);
        using var watching = new CancellationTokenSource();
        WebSocketMessage first;
        try
        {
            var receiving = WebSocketPump.ReceiveAsync(client, context.RequestAborted);
            var watchdog = caller.Watchdog.WatchAsync(static () => false, responseTimeout: null, watching.Token);
            var ended = await Task.WhenAny(receiving, drain.WhenEnded, watchdog);
            await watching.CancelAsync();
            if (ended != receiving)
            {
                // Nothing asked yet, so nothing to log: the socket is closed as going away (or as the watchdog says), and
                // the read gets the client's answering close.
                await (ended == watchdog ? EndByWatchdogAsync(caller, client, sends, (await watchdog).KeyRefusal, log: null) : CloseAsync(context, client, sends, GoingAway));
                receiving = receiving.WaitAsync(CloseHandshakeWait, time);
            }
            first = await receiving;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or TimeoutException)
        {
            Log.RelayEnded(logger, e.Message);
            return;
        }
        if (first.Type == WebSocketMessageType.Close)
        {
            await CloseAsync(context, client, sends, first);
            return;
        }
        if (first.Type != WebSocketMessageType.Text || RequestBody.Parse(first.Bytes) is not { Status: RequestBodyStatus.Ok, Model: { Length: > 0 } alias })
        {
            await FailAsync(context, client, sends, LogRefusal(caller, new(StatusCodes.Status400BadRequest, WebSocketMessages.FirstFrameModelRequired)));
            return;
        }
        var watch = new ClientWatch(client, context.RequestAborted);
        var resolution = await ResolveAsync(caller, table, alias, watch);
        if (resolution.Route is not { } resolved)
        {
            await (resolution.Refusal != ClientLeft ? FailAsync(context, client, sends, resolution.Refusal)
                : watch.Closed ? CloseAsync(context, client, sends, watch.Next!.Result)
                : Task.CompletedTask);
            return;
        }
        using var run = resolution.Run!;
        var connected = await ConnectAsync(caller, resolved, run);
        if (connected.Upstream is not { } upstream)
        {
            if (connected.Refusal != ClientLeftConnecting)
            {
                await FailAsync(context, client, sends, connected.Refusal);
            }
            return;
        }
        using (upstream)
        {
            await RunAsync(caller, client, upstream, connected.Resolved, run, sends, first.Bytes, watch.Next);
        }
    }

    /// <summary>
    /// The route of the alias, its WebSocket target and a key of that target's pool, whose place the connection holds
    /// for as long as it is open (max_concurrency) — or why not. When no key can take it, it waits for one as an HTTP
    /// request to the alias does (<see cref="RequestKeyWait"/>: the route's key_wait_seconds, in the same line);
    /// <paramref name="watch"/> ends the wait when the client goes away (then the refusal is <see cref="ClientLeft"/>).
    /// Each refusal is logged with the route and target resolved by then.
    /// </summary>
    private async Task<WebSocketResolution> ResolveAsync(WebSocketCaller caller, RoutingTable table, string alias, ClientWatch watch)
    {
        var key = caller.Key;
        if (!table.TryGetRoute(key.GroupId, alias, out var route))
        {
            return new(null, LogRefusal(caller, new(StatusCodes.Status404NotFound, GatewayMessages.ModelNotFound(alias, key.GroupId), "model_not_found")));
        }
        // The route's allowed_paths, as an HTTP request to the same path meets them (ProxyForwarder.RequireAllowedPathAsync).
        if (PathGlob.Versioned(caller.Context.Request.Path) is var path && !route.Allows(path))
        {
            return new(null, LogRefusal(caller, new(StatusCodes.Status403Forbidden, GatewayMessages.PathNotAllowed(alias, path), "path_not_allowed"), route));
        }
        if (keyPolicy.Check(key, route, time.GetUtcNow()) is { } refusal)
        {
            return new(null, LogRefusal(caller, new(refusal.Status, refusal.Message, refusal.Code, refusal.RetryAfter), route));
        }
        if (WebSocketTarget(route) is not { } target)
        {
            return new(null, LogRefusal(caller, new(StatusCodes.Status400BadRequest, WebSocketMessages.NotServed(alias)), route));
        }
        var keyWait = new RequestKeyWait(route.KeyWait, time, drain);
        try
        {
            while (true)
            {
                var run = new FailoverRun<WebSocketPlan>(
                    [target], static t => new WebSocketPlan(t.Provider.MainEndpoint), cooldowns, pinnedKeyName: null, key.Policy.Visitor, waiter: keyWait.Waiter);
                if (run.TryNext())
                {
                    return new(new WebSocketRoute(route, target, run.Key!), default, run);
                }
                using (run)
                {
                    var step = keyWait.Next(run);
                    if (step == KeyWaitStep.GiveUp)
                    {
                        var now = time.GetUtcNow();
                        var shortage = KeyShortage.Of(run, alias, now, target.Provider.Policy.ProbeInterval);
                        if (shortage.Error == ForwardError.AllKeysBusy)
                        {
                            cooldowns.BusyWarnings.Refused(logger, target.Provider, alias, now);
                        }
                        return new(null, LogRefusal(caller, new(shortage.Error.StatusCode(0), shortage.Message, RetryAfter: shortage.RetryAt - now), route, target));
                    }
                    if (step == KeyWaitStep.Sleep && await watch.SleepAsync(keyWait, run.EarliestRecovery) is not KeyWaitWake.LookAgain and var wake)
                    {
                        return new(null, LogRefusal(caller, wake == KeyWaitWake.DrainEnded ? DrainEnded : ClientLeft, route, target));
                    }
                }
            }
        }
        finally
        {
            keyWait.Leave();
        }
    }

    /// <summary>
    /// The row of a connection refused after authentication and before the relay, as its HTTP twin gets one, naming the
    /// route, target and upstream key once resolved; returns <paramref name="refusal"/> to be answered.
    /// </summary>
    private WebSocketRefusal LogRefusal(
        WebSocketCaller caller, WebSocketRefusal refusal, RouteEntry? route = null, RouteTarget? target = null, UpstreamKey? upstreamKey = null)
    {
        new ResponsesWebSocketLog(caller.Context, caller.Key, route, target, upstreamKey, logs, keyPolicy, time).RefusedConnection(refusal, caller.StartedAt);
        return refusal;
    }

    private static RouteTarget? WebSocketTarget(RouteEntry route) =>
        route.Targets.FirstOrDefault(t => t.Provider.Websocket && t.Provider.Protocol == UpstreamProtocol.OpenAIResponses);

    /// <summary>Before the upgrade: an HTTP error in the OpenAI shape, with Retry-After when the refusal says when to come back.</summary>
    private static Task RefuseAsync(HttpContext context, WebSocketRefusal refusal)
    {
        if (RetryAfterSeconds(refusal.RetryAfter) is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        return ProtocolErrorWriter.WriteAsync(context, ClientProtocol.OpenAIResponses, refusal.Status, refusal.Message, refusal.Code);
    }

    /// <summary>
    /// After the upgrade: one <c>error</c> event, then a close — policy violation for the client's own mistakes,
    /// internal error when the gateway or the upstream could not serve it, going away once the drain window has ended —
    /// so the client never waits for an answer.
    /// </summary>
    private async Task FailAsync(HttpContext context, WebSocket client, SemaphoreSlim sends, WebSocketRefusal refusal)
    {
        var status = drain.HasEnded ? WebSocketCloseStatus.EndpointUnavailable
            : refusal.Status >= StatusCodes.Status500InternalServerError ? WebSocketCloseStatus.InternalServerError
            : WebSocketCloseStatus.PolicyViolation;
        try
        {
            var error = ProtocolErrors.ResponsesWebSocketError(refusal.Status, refusal.Message, refusal.Code, RetryAfterSeconds(refusal.RetryAfter));
            await WebSocketPump.SendAsync(client, error, WebSocketMessageType.Text, sends, context.RequestAborted);
            await WebSocketPump.CloseAsync(client, status, WebSocketMessages.RefusedClose, sends, context.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            Log.RelayEnded(logger, e.Message);
        }
    }

    /// <summary>A refusal's Retry-After in whole seconds, as an HTTP answer gives it (before the upgrade a header, after it in the error event).</summary>
    private static long? RetryAfterSeconds(TimeSpan? wait) => wait is { } known ? KeyPolicyMessages.Seconds(known) : null;

    /// <summary>The refusal that stands for a client that went away while the connection waited for a key: nothing to answer.</summary>
    private static readonly WebSocketRefusal ClientLeft = new(StatusCodes.Status499ClientClosedRequest, "the client went away while it waited for an upstream key");

    /// <summary>The close of a socket the drain window's end finds with no response to answer.</summary>
    private static readonly WebSocketMessage GoingAway = WebSocketMessage.Closed(WebSocketCloseStatus.EndpointUnavailable, WebSocketMessages.ShuttingDownClose);

    /// <summary>What ends a connection, or each of its responses, still running when the drain window ends: an HTTP request's 503.</summary>
    private WebSocketRefusal DrainEnded => new(StatusCodes.Status503ServiceUnavailable, GatewayMessages.DrainEnded(options.DrainTimeout));

    /// <summary>
    /// The drain window ended with the relay running: each response still running gets its 503 row and the client one
    /// <c>error</c> event before the going-away close; a socket between responses gets the close alone.
    /// </summary>
    private Task EndAtDrainAsync(HttpContext context, WebSocket client, SemaphoreSlim sends, ResponsesWebSocketLog log) =>
        log.EndRunning(DrainEnded) ? FailAsync(context, client, sends, DrainEnded) : CloseAsync(context, client, sends, GoingAway);

    /// <summary>
    /// The watchdog ended the socket: an idle one gets a normal close naming why; one whose key no longer authenticates
    /// is ended as the drain ends it, with the key's 401 in place of the 503 (each response still running gets its row).
    /// </summary>
    private Task EndByWatchdogAsync(WebSocketCaller caller, WebSocket client, SemaphoreSlim sends, WebSocketRefusal? keyRefusal, ResponsesWebSocketLog? log)
    {
        if (keyRefusal is not { } refusal)
        {
            Log.Idle(logger, caller.Key.KeyId, options.WebSocketIdleTimeout.TotalSeconds);
            return CloseAsync(caller.Context, client, sends, WebSocketMessage.Closed(WebSocketCloseStatus.NormalClosure, WebSocketMessages.IdleClose(options.WebSocketIdleTimeout)));
        }
        Log.KeyRefused(logger, caller.Key.KeyId, refusal.Message);
        log?.EndRunning(refusal);
        return FailAsync(caller.Context, client, sends, refusal);
    }

    /// <summary>Answers the client's close before anything was relayed (or closes as <paramref name="close"/> says).</summary>
    private async Task CloseAsync(HttpContext context, WebSocket client, SemaphoreSlim sends, WebSocketMessage close)
    {
        try
        {
            await WebSocketPump.CloseAsync(client, close.CloseStatus, close.CloseDescription, sends, context.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            Log.RelayEnded(logger, e.Message);
        }
    }
}

/// <summary>
/// Why a WebSocket cannot be relayed: the HTTP status and message (an HTTP error, or an <c>error</c> event), and how long
/// the client should wait before it tries again (the HTTP error's Retry-After), when that is known.
/// </summary>
internal readonly record struct WebSocketRefusal(int Status, string Message, string? Code = null, TimeSpan? RetryAfter = null);

/// <summary>
/// Who asked for a WebSocket: the upgrade request, its authenticated key, when it began (its log row's latency), and the
/// watchdog that ends its socket when the key no longer authenticates or the socket is idle.
/// </summary>
internal readonly record struct WebSocketCaller(HttpContext Context, IssuedKeyEntry Key, long StartedAt, WebSocketWatchdog Watchdog);

/// <summary>What a relayed WebSocket is bound to: the route of its alias, the WebSocket target and the upstream key.</summary>
internal sealed record WebSocketRoute(RouteEntry Route, RouteTarget Target, UpstreamKey Key);

/// <summary>
/// A resolved route and the run that holds its upstream key's place (and records that key's failures and answers), or
/// (Route null) the refusal.
/// </summary>
internal readonly record struct WebSocketResolution(WebSocketRoute? Route, WebSocketRefusal Refusal, FailoverRun<WebSocketPlan>? Run = null);

/// <summary>A WebSocket is relayed to the main endpoint of its target (the key's own base URL when it has one).</summary>
internal sealed record WebSocketPlan(UpstreamEndpoint Endpoint) : IEndpointPlan;
