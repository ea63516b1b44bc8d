using System.Net.WebSockets;
using System.Text.Json;
using Keyway.Protocols;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Translation;
using Keyway.Security;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>The upstream half of the relay: the upstream handshake, the two-way copy and the frame rewriting.</summary>
internal sealed partial class ResponsesWebSocketRelay
{
    /// <summary>
    /// Opens the upstream socket with the run's key. A key the upstream refused (its handshake status classified as an
    /// HTTP answer's) or could not be reached with counts against that key, as an HTTP attempt's failure does, and the
    /// next key of the pool is tried when the failure allows it (up to the provider's max_retries); the last failure is
    /// the caller's 502, logged as its HTTP twin's. Returns the route with the key that connected.
    /// </summary>
    private async Task<(ClientWebSocket? Upstream, WebSocketRoute Resolved, WebSocketRefusal Refusal)> ConnectAsync(
        WebSocketCaller caller, WebSocketRoute resolved, FailoverRun<WebSocketPlan> run)
    {
        while (true)
        {
            var (upstream, failure) = await TryConnectAsync(caller.Context, resolved);
            if (upstream is not null)
            {
                return (upstream, resolved, default);
            }
            var (route, target, key) = resolved;
            if (drain.HasEnded || caller.Context.RequestAborted.IsCancellationRequested)
            {
                return (null, resolved, LogRefusal(caller, drain.HasEnded ? DrainEnded : ClientLeftConnecting, route, target, key));
            }
            Log.ConnectFailed(logger, target.Provider.ProviderId, failure!.Message);
            run.RecordFailure(failure);
            if (!failure.Class.IsRetryable() || !run.TryNext())
            {
                var refusal = new WebSocketRefusal(StatusCodes.Status502BadGateway, WebSocketMessages.UpstreamRefused(target.Provider.ProviderId, failure.Message));
                return (null, resolved, LogRefusal(caller, refusal, route, target, key));
            }
            resolved = resolved with { Key = run.Key! };
        }
    }

    private static readonly WebSocketRefusal ClientLeftConnecting =
        new(StatusCodes.Status499ClientClosedRequest, "the client went away while the upstream socket was opening");

    /// <summary>One upstream handshake with the route's key: the open socket, or why it failed.</summary>
    private async Task<(ClientWebSocket? Upstream, UpstreamFailure? Failure)> TryConnectAsync(HttpContext context, WebSocketRoute resolved)
    {
        var (_, target, key) = resolved;
        var upstream = new ClientWebSocket();
        upstream.Options.CollectHttpResponseDetails = true;
        var (authName, authValue) = UpstreamAuthHeader.For(target.Provider.AuthHeader, OpenAIResponsesUpstream.Instance, key.Secret);
        upstream.Options.SetRequestHeader(authName, authValue);
        foreach (var (name, value) in HandshakeHeaders(context.Request, target.Provider))
        {
            upstream.Options.SetRequestHeader(name, value);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, drain.Ended);
        timeout.CancelAfter(target.Provider.Timeout);
        try
        {
            await upstream.ConnectAsync(WebSocketUri(key.BaseUrl ?? target.Provider.BaseUrl), timeout.Token);
            return (upstream, null);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            var status = (int)upstream.HttpStatusCode;
            var failure = status >= StatusCodes.Status400BadRequest
                ? UpstreamFailureClassifier.FromHandshake(status, upstream.HttpResponseHeaders, e.Message, time.GetUtcNow())
                : UpstreamFailureClassifier.FromException(StatusCodes.Status502BadGateway, e.Message);
            upstream.Dispose();
            return (null, failure);
        }
    }

    /// <summary>How long a socket closed at the drain window's end waits for the client's answering close.</summary>
    private static readonly TimeSpan CloseHandshakeWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The client headers the upstream handshake carries: <c>User-Agent</c>, as an HTTP call does (a provider may key
    /// behaviour or rate limits on it), and <c>OpenAI-Beta</c>, which names the WebSocket mode's version.
    /// </summary>
    private static readonly string[] ForwardedClientHeaders = ["User-Agent", "OpenAI-Beta"];

    /// <summary>
    /// The client's <see cref="ForwardedClientHeaders"/> it sent, then the provider's extra headers by the rule an HTTP
    /// call follows; gathered first because the socket's options can set a header but not remove one.
    /// </summary>
    private static Dictionary<string, string> HandshakeHeaders(HttpRequest request, UpstreamProvider provider)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in ForwardedClientHeaders)
        {
            if (request.Headers[name].ToString() is { Length: > 0 } value)
            {
                headers[name] = value;
            }
        }
        ExtraHeaderRule.Apply(provider.ExtraHeaders, headers, static (set, name) => set.Remove(name), static (set, name, value) => set[name] = value);
        return headers;
    }

    /// <summary>
    /// Sends the first frame when the client already sent it, then runs both directions, the client's starting with the
    /// read begun while the connection waited for a key, if one was; when one fails, the other is stopped and both sockets
    /// are aborted. One log row per response. When the drain window ends first, the client is answered and closed
    /// (<see cref="EndAtDrainAsync"/>) and the upstream aborted, as when the watchdog ends the socket
    /// (<see cref="EndByWatchdogAsync"/>); the client's answering close then ends the relay, or
    /// <see cref="CloseHandshakeWait"/> does: aborting the client's socket at once would lose the frames just sent to it.
    /// </summary>
    private async Task RunAsync(
        WebSocketCaller caller, WebSocket client, WebSocket upstream, WebSocketRoute resolved, FailoverRun<WebSocketPlan> run, SemaphoreSlim sends,
        byte[]? firstFrame, Task<WebSocketMessage>? pendingReceive)
    {
        var context = caller.Context;
        var log = new ResponsesWebSocketLog(context, caller.Key, resolved.Route, resolved.Target, resolved.Key, logs, keyPolicy, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            if (firstFrame is not null)
            {
                var first = ToUpstream(caller, firstFrame, resolved, log);
                await WebSocketPump.SendAsync(first.Answer ? client : upstream, first.Bytes, WebSocketMessageType.Text, sends, stop.Token);
            }
            var up = WebSocketPump.CopyAsync(client, upstream, frame => ToUpstream(caller, frame, resolved, log), sends, stop.Token, pendingReceive);
            // An upstream event echoing a key (an error event, say) is scrubbed before the client or the log sees it.
            var (bearer, apiKey) = GatewayAuth.PresentedKeys(context.Request);
            var secrets = new SecretScrubber(resolved.Key.Secret, bearer, resolved.Target.Provider.HeaderSecrets, secondClientKey: apiKey);
            var down = WebSocketPump.CopyAsync(upstream, client, frame => ToClient(secrets.Scrub(frame), log, caller.Watchdog, run), sends, stop.Token);
            var relay = Task.WhenAll(up, down);
            var provider = resolved.Target.Provider;
            var watch = caller.Watchdog.WatchAsync(() => log.Running, provider.Timeout, stop.Token);
            var ended = await Task.WhenAny(relay, drain.WhenEnded, watch);
            if (ended != relay)
            {
                await (ended != watch ? EndAtDrainAsync(context, client, sends, log)
                    : (await watch).ResponseStalled ? EndStalledAsync(context, client, sends, provider, log, run)
                    : EndByWatchdogAsync(caller, client, sends, (await watch).KeyRefusal, log));
                upstream.Abort();
                await relay.WaitAsync(CloseHandshakeWait, time);
            }
            await relay;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or TimeoutException)
        {
            Log.RelayEnded(logger, e.Message);
            await stop.CancelAsync();
            client.Abort();
            upstream.Abort();
        }
        finally
        {
            // Ends the watchdog too, once the relay is over.
            await stop.CancelAsync();
            log.Abandon();
        }
    }

    /// <summary>
    /// The upstream sent nothing for the running response for the provider's timeout: the response fails as an HTTP
    /// stream the upstream stops feeding does (504, "did not answer within …", its row), here as an <c>error</c> event, and
    /// the socket is closed (1011) with the upstream's aborted: the upstream may still answer the stalled response later,
    /// which a socket kept open would relay into the client's next one. Codex opens a new socket for its next turn. The
    /// stall counts against the key, as a stream that broke after its headers does.
    /// </summary>
    private Task EndStalledAsync(
        HttpContext context, WebSocket client, SemaphoreSlim sends, UpstreamProvider provider, ResponsesWebSocketLog log, FailoverRun<WebSocketPlan> run)
    {
        var stalled = new WebSocketRefusal(StatusCodes.Status504GatewayTimeout, GatewayMessages.Timeout(provider.ProviderId, provider.Timeout));
        log.EndRunning(stalled);
        run.RecordFailure(UpstreamFailureClassifier.FromException(stalled.Status, stalled.Message));
        return FailAsync(context, client, sends, stalled);
    }

    /// <summary>
    /// A <c>response.create</c> (or any client event naming a model) starts a response: one naming another alias is
    /// answered with an <c>error</c> event and not forwarded, since the socket is bound to one route; the others must pass
    /// the key's policy as an HTTP request does, or get its refusal as an <c>error</c> event, and are forwarded with the
    /// route's upstream model and defaults.
    /// </summary>
    private PumpedText ToUpstream(WebSocketCaller caller, byte[] frame, WebSocketRoute resolved, ResponsesWebSocketLog log)
    {
        caller.Watchdog.Touch();
        var parsed = RequestBody.Parse(frame);
        if (parsed.Status != RequestBodyStatus.Ok || (parsed.Model is null && !IsResponseCreate(frame)))
        {
            return new(frame, Answer: false);
        }
        var (route, target, _) = resolved;
        if (parsed.Model is { } model && !string.Equals(model, route.Alias, StringComparison.Ordinal))
        {
            var message = WebSocketMessages.OtherAlias(route.Alias, model);
            return new(ProtocolErrors.ResponsesWebSocketError(StatusCodes.Status400BadRequest, message, null), Answer: true);
        }
        var admission = AdmitResponse(caller.Context, route);
        if (admission.Refusal is { } refusal)
        {
            log.Refused(refusal);
            return new(ProtocolErrors.ResponsesWebSocketError(refusal.Status, refusal.Message, refusal.Code, RetryAfterSeconds(refusal.RetryAfter)), Answer: true);
        }
        log.RequestSent(admission);
        caller.Watchdog.HeardFromUpstream();
        var body = RequestBody.Rewrite(frame, parsed, target.UpstreamModel, injectIncludeUsage: false);
        return new(route.Defaults is { } defaults
            ? RequestDefaultsSplicer.Apply(
                body, WireFormat.OpenAIResponses, defaults, target.Provider.MainEndpoint.FixesSampling(target.UpstreamModel), ClaudeThinking.Budget)
            : body, Answer: false);
    }

    /// <summary>
    /// One response on the socket passes what an HTTP request passes: the key as the current snapshot has it (a revoked
    /// or expired key is refused, a changed policy applies), then its policy on the connection's route.
    /// </summary>
    private KeyAdmission AdmitResponse(HttpContext context, RouteEntry route)
    {
        var now = time.GetUtcNow();
        var auth = GatewayAuth.Authenticate(context.Request, routing.Current, now);
        if (auth.Key is not { } key)
        {
            return new KeyAdmission(new KeyRefusal(StatusCodes.Status401Unauthorized, auth.Error!, "invalid_api_key"), null, false, null);
        }
        keyUsage.Touch(key.KeyId, now);
        return keyPolicy.Admit(key, route);
    }

    private static bool IsResponseCreate(byte[] frame)
    {
        try
        {
            using var document = JsonDocument.Parse(frame);
            return document.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("response.create");
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static PumpedText ToClient(byte[] frame, ResponsesWebSocketLog log, WebSocketWatchdog watchdog, FailoverRun<WebSocketPlan> run)
    {
        watchdog.HeardFromUpstream();
        if (log.Observe(frame) is { } ended)
        {
            RecordOutcome(run, ended.Status, ended.Error, frame);
        }
        return new(frame, Answer: false);
    }

    /// <summary>
    /// A response's end is its key's outcome, as an HTTP answer is: one that completed, or failed for the caller's own
    /// mistake, clears the key's failures; a refused key, a rate limit, a used-up quota or the upstream's own failure
    /// (classified from the event's status and body as an HTTP error's) counts against it. The socket keeps its key: the
    /// next socket is given another while this one cools down.
    /// </summary>
    private static void RecordOutcome(FailoverRun<WebSocketPlan> run, int status, string? error, byte[] frame)
    {
        var failure = status >= StatusCodes.Status400BadRequest ? UpstreamFailureClassifier.FromEvent(status, frame, error ?? "") : null;
        if (failure is not null && failure.Class.IsRetryable())
        {
            run.RecordFailure(failure);
            return;
        }
        run.RecordAnswered();
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

        [LoggerMessage(Level = LogLevel.Warning, Message = "Responses WebSocket refused: key {KeyId} already holds {Max} open (KEYWAY_WEBSOCKETS_PER_KEY)")]
        public static partial void TooManySockets(ILogger logger, string keyId, int max);

        [LoggerMessage(Level = LogLevel.Information, Message = "Responses WebSocket of key {KeyId} closed: {Reason}")]
        public static partial void KeyRefused(ILogger logger, string keyId, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Responses WebSocket of key {KeyId} closed: idle for {Seconds} s")]
        public static partial void Idle(ILogger logger, string keyId, double seconds);
    }
}
