using Keyway.Protocols;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Translation;
using Keyway.Tools;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Step 3, per target and endpoint (its native endpoint for the client's protocol when it has one, else its main one):
/// pass-through when the endpoint speaks the client's protocol (only <c>model</c> is rewritten); otherwise translation
/// through the Chat hub when a pipeline exists; null when this endpoint cannot serve the client.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <param name="turn">A Responses request's conversation state, when Keyway keeps it (see <see cref="HasConversationState"/>).</param>
    private RelayPlan? ChatPlanFor(ProxyExchange exchange, ParsedRequest request, ResponsesTurn? turn, RouteTarget target, UpstreamEndpoint endpoint)
    {
        var client = exchange.Protocol.Wire();
        var upstream = endpoint.Protocol.Wire();
        var path = UpstreamProtocols.For(endpoint.Protocol).ChatPath;
        if (client == upstream)
        {
            // Keyway asks chat streams for usage so a stream is never logged as free, and hides the chunk it added.
            var injectUsage = client == WireFormat.OpenAIChat && request.Parsed.Stream && !request.Parsed.HasIncludeUsage;
            var body = WithRouteDefaults(exchange, request.EditedFor(target.UpstreamModel, injectUsage, sameProtocol: client), target, endpoint);
            return WithWebSearch(exchange, new RelayPlan(
                endpoint, path, body, WatcherFor(upstream, hideUsageOnlyChunk: injectUsage), UsageFormatOf(upstream),
                NewWatcher: () => WatcherFor(upstream, hideUsageOnlyChunk: injectUsage), ChatAnswer: true));
        }
        if (!TranslationPipeline.CanTranslate(client, upstream))
        {
            return null;
        }
        return WithWebSearch(exchange, TranslatedPlan(exchange, target, endpoint, path, turn?.Body ?? request.Body, turn));
    }

    /// <summary>
    /// The client's body (<paramref name="clientBody"/>, in its protocol) translated for <paramref name="endpoint"/>;
    /// the pipeline lives until the response ends. A Responses <paramref name="turn"/> is echoed in the answer and stored with it.
    /// </summary>
    private RelayPlan TranslatedPlan(
        ProxyExchange exchange, RouteTarget target, UpstreamEndpoint endpoint, string path, ReadOnlyMemory<byte> clientBody, ResponsesTurn? turn = null)
    {
        var (client, upstream) = (exchange.Protocol.Wire(), endpoint.Protocol.Wire());
        var context = new TranslationContext(NewResponseId(client), time.GetUtcNow().ToUnixTimeSeconds(), exchange.Route!.Alias, target.UpstreamModel, turn?.Storage)
        {
            PlacesCacheBreakpoints = options.AnthropicCacheBreakpoints,
            ChatMaxCompletionTokens = endpoint.TakesMaxCompletionTokens(target.UpstreamModel),
            ChatFixedSampling = endpoint.FixesSampling(target.UpstreamModel),
            ChatReasoningReplay = target.Provider.ReasoningReplay ?? endpoint.TakesReasoningContent,
            ChatReasoningSplit = endpoint.Protocol == UpstreamProtocol.OpenAI && (target.Provider.ReasoningSplit ?? endpoint.SplitsReasoning),
            ChatThinkingSwitch = target.Provider.ThinkingSwitch,
            DefaultReasoningEffort = exchange.Route!.Defaults?.ReasoningEffort,
            AnthropicThinking = ClaudeModels.ThinkingOf(target.UpstreamModel),
        };
        var pipeline = TranslationPipeline.Create(client, upstream, clientBody, context);
        exchange.Context.Response.RegisterForDispose(pipeline);
        return new RelayPlan(
            endpoint, path, WithRouteDefaults(exchange, UpstreamBody.Leased(pipeline.UpstreamBody), target, endpoint), WatcherFor(upstream, hideUsageOnlyChunk: false),
            UsageFormatOf(upstream), Translation: pipeline, NewWatcher: () => WatcherFor(upstream, hideUsageOnlyChunk: false), ChatAnswer: true, Turn: turn);
    }

    /// <summary>
    /// The upstream-bound body with the route's defaults for what the client left out (see <see cref="RequestDefaultsSplicer"/>),
    /// then, for a Chat endpoint of a provider with a thinking switch, its reasoning effort in that switch too (<see cref="ChatThinkingSwitches.Apply"/>).
    /// </summary>
    private static UpstreamBody WithRouteDefaults(ProxyExchange exchange, UpstreamBody body, RouteTarget target, UpstreamEndpoint endpoint)
    {
        var withDefaults = exchange.Route!.Defaults is { } defaults
            ? UpstreamBody.Of(RequestDefaultsSplicer.Apply(
                body.ToArray(), endpoint.Protocol.Wire(), defaults, endpoint.FixesSampling(target.UpstreamModel), ClaudeModels.ThinkingOf(target.UpstreamModel)))
            : body;
        if (endpoint.Protocol != UpstreamProtocol.OpenAI || target.Provider.ThinkingSwitch == ChatThinkingSwitch.None)
        {
            return withDefaults;
        }
        var bytes = withDefaults.ToArray();
        var switched = ChatThinkingSwitches.Apply(bytes, target.Provider.ThinkingSwitch);
        return ReferenceEquals(switched, bytes) ? withDefaults : UpstreamBody.Of(switched);
    }

    /// <summary>
    /// The plan with the gateway's search tool added, when the caller's group has web search, neither the route, the
    /// key nor the request opted out, and the gateway can run the loop: a request to a Chat, Anthropic or Responses upstream.
    /// </summary>
    private RelayPlan WithWebSearch(ProxyExchange exchange, RelayPlan plan)
    {
        if (routing.Current.WebSearchFor(exchange.Key!, exchange.Route!) is not { } provider
            || WebSearchTool.OptedOut(exchange.Context.Request.Headers)
            || WebSearchTool.Inject(plan.Body.ToArray(), plan.Endpoint.Protocol.Wire()) is not { } body)
        {
            return plan;
        }
        return plan with { Body = UpstreamBody.Of(body), WebSearch = provider };
    }

    private static IStreamWatcher WatcherFor(WireFormat upstream, bool hideUsageOnlyChunk) => upstream switch
    {
        WireFormat.AnthropicMessages => new StreamWatcher(new MessagesStreamObserver()),
        WireFormat.OpenAIResponses => new StreamWatcher(new ResponsesStreamObserver()),
        _ => new StreamWatcher(new ChatStreamObserver(), hideUsageOnlyChunk),
    };

    private static UsageFormat UsageFormatOf(WireFormat upstream) => upstream switch
    {
        WireFormat.AnthropicMessages => UsageFormat.AnthropicMessage,
        WireFormat.OpenAIResponses => UsageFormat.Response,
        _ => UsageFormat.ChatCompletion,
    };

    /// <summary>A fresh id in the client protocol's own style, unique per call.</summary>
    private static string NewResponseId(WireFormat client) => client switch
    {
        WireFormat.AnthropicMessages => ResponseIds.New("msg_"),
        WireFormat.OpenAIResponses => ResponseIds.New("resp_"),
        _ => ResponseIds.New("chatcmpl-"),
    };
}
