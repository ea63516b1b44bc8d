using Keyway.Protocols;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Translation;
using Keyway.Telemetry;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// The data plane's request path: authenticate → resolve alias → send upstream → relay back →
/// log. Reads only the in-memory RoutingTable; the log row is enqueued, never awaited. The one exception is a Responses
/// conversation Keyway keeps on a translated route (<see cref="StoredResponses"/>), whose turns are read and written.
/// </summary>
public sealed partial class ProxyForwarder(
    RoutingTableHolder routing, Configuration.KeywayOptions options, UpstreamClient upstream, Tools.TavilyClient tavily, CooldownBook cooldowns, RequestLogQueue logs, KeyUsageTracker keyUsage, ToolUsageTracker toolUsage, KeyPolicyGate keyPolicy, StoredResponses storedResponses, GatewayDrain drain, KeyAuthenticator authenticator, Telemetry.Metrics.KeywayMetrics metrics, TimeProvider time, ILogger<ProxyForwarder> logger)
{
    /// <summary>
    /// POST /v1/chat/completions, /v1/messages and /v1/responses: pass-through to a target of the client's protocol,
    /// translation through the Chat hub to any other.
    /// </summary>
    public Task ForwardChatAsync(HttpContext context, ClientProtocol protocol) => RunAsync(context, protocol, async (exchange, request) =>
    {
        exchange.Stream = request.Parsed.Stream;
        // a Responses conversation Keyway keeps: its stored turns go before the input (an unknown one is OpenAI's 400)
        ResponsesTurn? turn = null;
        if (HasConversationState(exchange, request) && (turn = await BeginResponsesTurnAsync(exchange, request)) is null)
        {
            return;
        }
        // 3. choose the adapter per target (ChatPlanFor), 4. send, failing over across keys and targets, 5. stream back;
        // a key with its own base URL serves a target whose plan calls a native endpoint through its main one
        if (!await SendAndRelayAsync(
            exchange,
            target => ChatPlanFor(exchange, request, turn, target, target.Provider.EndpointFor(protocol.Wire())),
            exchange.Route!.HasNativeEndpoints ? target => ChatPlanFor(exchange, request, turn, target, target.Provider.MainEndpoint) : null))
        {
            await RejectProtocolMismatchAsync(exchange);
        }
    });

    /// <summary>No target of the route can serve the client's protocol: 404, as for an unknown model.</summary>
    private Task RejectProtocolMismatchAsync(ProxyExchange exchange)
    {
        var route = exchange.Route!;
        var message = GatewayMessages.ProtocolMismatch(route.Alias, route.Provider.Protocol.Name(), route.Provider.GroupId, exchange.Protocol.Name());
        return RejectAsync(exchange, StatusCodes.Status404NotFound, message, "model_not_found");
    }

    /// <summary>
    /// POST /v1/messages/count_tokens: the upstream counts when it speaks Anthropic (its main endpoint, or a native one
    /// some key of the pool may call, its own or the provider's) and serves the path (Anthropic-compatible
    /// vendors without it answer 404 or 405); otherwise a documented estimate, of a body Anthropic would have counted
    /// (else its 400).
    /// </summary>
    public Task CountTokensAsync(HttpContext context) => RunAsync(context, ClientProtocol.AnthropicMessages, async (exchange, request) =>
    {
        async Task EstimateAsync(ProxyExchange estimated)
        {
            if (CountTokensRequestCheck.Problem(request.Body.Span) is { } problem)
            {
                await RejectAsync(estimated, StatusCodes.Status400BadRequest, problem);
                return;
            }
            try
            {
                await TokenEstimateResponse.WriteAsync(estimated, request.Body);
            }
            catch (OperationCanceledException) when (estimated.Aborted.IsCancellationRequested)
            {
                Record(estimated, ForwardError.ClientCanceled, "client closed the request");
            }
        }
        if (!await SendAndRelayAsync(exchange, target => AnthropicOnlyPlan(target, request, "v1/messages/count_tokens", EstimateAsync)))
        {
            await EstimateAsync(exchange);
        }
    });

    /// <summary>
    /// A path only Anthropic's API has (count_tokens, evaluate_safeguards), for a target that speaks Anthropic on its
    /// main endpoint or on a native one some key of the pool may call: the body with its model rewritten, the answer
    /// relayed; <paramref name="answerUnserved"/> answers when the upstream says it does not serve the path. Null for
    /// any other target.
    /// </summary>
    private static RelayPlan? AnthropicOnlyPlan(RouteTarget target, ParsedRequest request, string path, Func<ProxyExchange, Task> answerUnserved) =>
        target.Provider.EndpointFor(WireFormat.AnthropicMessages) is { Protocol: UpstreamProtocol.Anthropic } endpoint
        && (endpoint.IsMain || target.Provider.AnyKeyCalls(endpoint))
            ? new RelayPlan(endpoint, path, request.EditedFor(target.UpstreamModel, injectUsage: false, sameProtocol: WireFormat.AnthropicMessages), null, UsageFormat.None,
                AnswerUnserved: answerUnserved)
            : null;

    /// <summary>POST /v1/generations: the body (model rewritten) to base_url + the route's upstream_path, relayed as is.</summary>
    public Task ForwardGenerationAsync(HttpContext context) => RunAsync(context, ClientProtocol.OpenAIChat, async (exchange, request) =>
    {
        var route = exchange.Route!;
        if (string.IsNullOrWhiteSpace(route.UpstreamPath))
        {
            await RejectAsync(exchange, StatusCodes.Status400BadRequest, GatewayMessages.NoUpstreamPath(route.Alias));
            return;
        }
        exchange.Stream = request.Parsed.Stream;
        var headers = exchange.Context.Request.Headers;
        await SendAndRelayAsync(exchange, target => new RelayPlan(
            target.Provider.MainEndpoint,
            route.UpstreamPath.Trim(),
            request.EditedFor(target.UpstreamModel, injectUsage: false),
            null,
            UsageFormat.None,
            RelayAsIs: true,
            Decorate: upstreamRequest => GenerationHeaders.Copy(headers, upstreamRequest)));
    });

    /// <summary>
    /// The steps every surface shares around its own (3–5): authenticate, read and resolve, and the log row at the
    /// end whatever happened. A body that cannot be translated is the caller's 400 while nothing was sent yet.
    /// </summary>
    private Task RunAsync(HttpContext context, ClientProtocol protocol, Func<ProxyExchange, ParsedRequest, Task> forward) =>
        RunAsync(context, protocol, ReadRequestAsync, forward);

    /// <summary>As above with the surface's own reading of the body (a JSON object, a multipart form).</summary>
    private async Task RunAsync<TRequest>(
        HttpContext context, ClientProtocol protocol, Func<ProxyExchange, Task<TRequest?>> read, Func<ProxyExchange, TRequest, Task> forward)
        where TRequest : class, IRoutedRequest
    {
        var exchange = new ProxyExchange(context, protocol, time.GetTimestamp());
        exchange.Telemetry.Start(metrics, time, exchange.StartTimestamp, protocol.Name());
        // 1. authenticate
        if (!await AuthenticateAsync(exchange))
        {
            return;
        }
        TRequest? request = null;
        try
        {
            // 2. read the body and resolve the alias
            request = await read(exchange);
            if (request is not null && await ResolveRouteAsync(exchange, request.Model) && await RequireAllowedPathAsync(exchange)
                && await AdmitByKeyPolicyAsync(exchange))
            {
                await forward(exchange, request);
            }
        }
        catch (TranslationException e) when (!exchange.AnswerBegun)
        {
            await RejectAsync(exchange, StatusCodes.Status400BadRequest, e.Message);
        }
        finally
        {
            switch (request)
            {
                case IAsyncDisposable disposable:
                    await disposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
            // 6. count the key's usage, close the request's timings and spans, and enqueue the log row (the metrics count it there)
            var entry = exchange.ToLogEntry(time);
            keyPolicy.Complete(exchange.Admission, entry);
            exchange.Telemetry.Finish(entry);
            logs.Enqueue(entry);
        }
    }
}
