using System.Net.WebSockets;
using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Telemetry;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// GET /v1/responses with a WebSocket upgrade (the Responses WebSocket mode): relayed to the route's provider when it
/// speaks Responses and has the <c>websocket</c> flag. Everything that can fail — the key, the alias (the <c>model</c>
/// query parameter), the provider, the upstream's own handshake — is checked before the client's upgrade is accepted,
/// so a refusal is a plain HTTP error and the client falls back to HTTP streaming.
/// </summary>
internal sealed partial class ResponsesWebSocketRelay(
    RoutingTableHolder routing, CooldownBook cooldowns, RequestLogQueue logs, KeyUsageTracker keyUsage, TimeProvider time, ILogger<ResponsesWebSocketRelay> logger)
{
    public async Task RelayAsync(HttpContext context)
    {
        // 1. only an upgrade, 2. authenticate, 3. resolve the alias to a provider that serves the WebSocket mode
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, WebSocketMessages.UpgradeRequired);
            return;
        }
        var table = routing.Current;
        var auth = GatewayAuth.Authenticate(context.Request, table, time.GetUtcNow());
        if (auth.Key is not { } key)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, auth.Error!, "invalid_api_key");
            return;
        }
        keyUsage.Touch(key.KeyId, time.GetUtcNow());
        var alias = context.Request.Query["model"].ToString();
        if (alias.Length == 0)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, WebSocketMessages.ModelRequired);
            return;
        }
        if (!table.TryGetRoute(key.GroupId, alias, out var route))
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, GatewayMessages.ModelNotFound(alias, key.GroupId), "model_not_found");
            return;
        }
        if (route.Targets.FirstOrDefault(t => t.Provider.Websocket && t.Provider.Protocol == UpstreamProtocol.OpenAIResponses) is not { } target)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, WebSocketMessages.NotServed(alias));
            return;
        }
        // 4. open the upstream socket with a key of the pool
        if (KeyPool.Select(target, cooldowns, new HashSet<string>(StringComparer.Ordinal)).Key is not { } upstreamKey)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, GatewayMessages.AllKeysCooling(alias));
            return;
        }
        using var upstream = await ConnectAsync(context, target, upstreamKey);
        if (upstream is null)
        {
            return;
        }
        // 5. accept the client and copy frames both ways; 6. one log row per response
        using var client = await context.WebSockets.AcceptWebSocketAsync();
        var log = new ResponsesWebSocketLog(context, key, route, target, upstreamKey, logs, time);
        await PumpAsync(client, upstream, frame => ToUpstream(frame, target, route, log), frame => ToClient(frame, log), context.RequestAborted);
    }

    private async Task<ClientWebSocket?> ConnectAsync(HttpContext context, RouteTarget target, UpstreamKey key)
    {
        var upstream = new ClientWebSocket();
        upstream.Options.SetRequestHeader("Authorization", "Bearer " + key.Secret);
        foreach (var (name, value) in target.Provider.ExtraHeaders)
        {
            upstream.Options.SetRequestHeader(name, value);
        }
        if (context.Request.Headers["OpenAI-Beta"].ToString() is { Length: > 0 } beta)
        {
            upstream.Options.SetRequestHeader("OpenAI-Beta", beta);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(target.Provider.Timeout);
        try
        {
            await upstream.ConnectAsync(WebSocketUri(key.BaseUrl ?? target.Provider.BaseUrl), timeout.Token);
            return upstream;
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            upstream.Dispose();
            Log.ConnectFailed(logger, target.Provider.ProviderId, e.Message);
            await RefuseAsync(context, StatusCodes.Status502BadGateway, WebSocketMessages.UpstreamRefused(target.Provider.ProviderId, e.Message));
            return null;
        }
    }

    /// <summary>Runs both directions; when one fails, the other is stopped and both sockets are aborted.</summary>
    private async Task PumpAsync(WebSocket client, WebSocket upstream, Func<byte[], byte[]> toUpstream, Func<byte[], byte[]> toClient, CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var up = WebSocketPump.CopyAsync(client, upstream, toUpstream, stop.Token);
        var down = WebSocketPump.CopyAsync(upstream, client, toClient, stop.Token);
        try
        {
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            Log.RelayEnded(logger, e.Message);
            await stop.CancelAsync();
            client.Abort();
            upstream.Abort();
        }
    }

    /// <summary>A client event naming a model gets the route's upstream model and the route's defaults.</summary>
    private static byte[] ToUpstream(byte[] frame, RouteTarget target, RouteEntry route, ResponsesWebSocketLog log)
    {
        var parsed = RequestBody.Parse(frame);
        if (parsed.Status != RequestBodyStatus.Ok || parsed.Model is null)
        {
            return frame;
        }
        log.RequestSent();
        var body = RequestBody.Rewrite(frame, parsed, target.UpstreamModel, injectIncludeUsage: false);
        return route.Defaults is { } defaults ? RequestDefaultsSplicer.Apply(body, WireFormat.OpenAIResponses, defaults) : body;
    }

    private static byte[] ToClient(byte[] frame, ResponsesWebSocketLog log)
    {
        log.Observe(frame);
        return frame;
    }

    /// <summary>ws:// or wss:// for the base URL's http:// or https://, with <c>/responses</c> appended.</summary>
    private static Uri WebSocketUri(string baseUrl)
    {
        var builder = new UriBuilder(baseUrl.TrimEnd('/') + "/responses");
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return builder.Uri;
    }

    private static Task RefuseAsync(HttpContext context, int status, string message, string? code = null) =>
        ProtocolErrorWriter.WriteAsync(context, ClientProtocol.OpenAIResponses, status, message, code);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "WebSocket to {ProviderId} failed: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string providerId, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket relay ended: {Reason}")]
        public static partial void RelayEnded(ILogger logger, string reason);
    }
}
