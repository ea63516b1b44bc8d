using System.Net.WebSockets;
using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Security;

namespace Keyway.Gateway;

/// <summary>The upstream half of the relay: the upstream handshake, the two-way copy and the frame rewriting.</summary>
internal sealed partial class ResponsesWebSocketRelay
{
    private async Task<(ClientWebSocket? Upstream, WebSocketRefusal Refusal)> ConnectAsync(HttpContext context, WebSocketRoute resolved)
    {
        var (_, target, key) = resolved;
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
            return (upstream, default);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            upstream.Dispose();
            Log.ConnectFailed(logger, target.Provider.ProviderId, e.Message);
            return (null, new(StatusCodes.Status502BadGateway, WebSocketMessages.UpstreamRefused(target.Provider.ProviderId, e.Message)));
        }
    }

    /// <summary>
    /// Sends the first frame when the client already sent it, then runs both directions; when one fails, the other is
    /// stopped and both sockets are aborted. One log row per response.
    /// </summary>
    private async Task RunAsync(HttpContext context, WebSocket client, WebSocket upstream, IssuedKeyEntry key, WebSocketRoute resolved, SemaphoreSlim sends, byte[]? firstFrame)
    {
        var log = new ResponsesWebSocketLog(context, key, resolved.Route, resolved.Target, resolved.Key, logs, keyPolicy, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            if (firstFrame is not null)
            {
                await WebSocketPump.SendAsync(upstream, ToUpstream(firstFrame, resolved, log).Bytes, WebSocketMessageType.Text, sends, stop.Token);
            }
            var up = WebSocketPump.CopyAsync(client, upstream, frame => ToUpstream(frame, resolved, log), sends, stop.Token);
            // An upstream event echoing a key (an error event, say) is scrubbed before the client or the log sees it.
            var secrets = new SecretScrubber(resolved.Key.Secret, GatewayAuth.PresentedKey(context.Request));
            var down = WebSocketPump.CopyAsync(upstream, client, frame => ToClient(secrets.Scrub(frame), log), sends, stop.Token);
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

    /// <summary>
    /// A client event naming the connection's alias gets the route's upstream model and the route's defaults; one naming
    /// another alias is answered with an <c>error</c> event and not forwarded, since the socket is bound to one route.
    /// </summary>
    private static PumpedText ToUpstream(byte[] frame, WebSocketRoute resolved, ResponsesWebSocketLog log)
    {
        var parsed = RequestBody.Parse(frame);
        if (parsed.Status != RequestBodyStatus.Ok || parsed.Model is null)
        {
            return new(frame, Answer: false);
        }
        var (route, target, _) = resolved;
        if (!string.Equals(parsed.Model, route.Alias, StringComparison.Ordinal))
        {
            var message = WebSocketMessages.OtherAlias(route.Alias, parsed.Model);
            return new(ProtocolErrors.ResponsesWebSocketError(StatusCodes.Status400BadRequest, message, null), Answer: true);
        }
        log.RequestSent();
        var body = RequestBody.Rewrite(frame, parsed, target.UpstreamModel, injectIncludeUsage: false);
        return new(route.Defaults is { } defaults ? RequestDefaultsSplicer.Apply(body, WireFormat.OpenAIResponses, defaults) : body, Answer: false);
    }

    private static PumpedText ToClient(byte[] frame, ResponsesWebSocketLog log)
    {
        log.Observe(frame);
        return new(frame, Answer: false);
    }

    /// <summary>ws:// or wss:// for the base URL's http:// or https://, with <c>/responses</c> appended.</summary>
    private static Uri WebSocketUri(string baseUrl)
    {
        var builder = new UriBuilder(baseUrl.TrimEnd('/') + "/responses");
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return builder.Uri;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "WebSocket to {ProviderId} failed: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string providerId, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket relay ended: {Reason}")]
        public static partial void RelayEnded(ILogger logger, string reason);
    }
}
