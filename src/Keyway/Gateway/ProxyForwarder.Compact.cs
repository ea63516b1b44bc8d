using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// <c>POST /v1/responses/compact</c> (https://platform.openai.com/docs/api-reference/responses/compact): passed through
/// to a Responses endpoint; on a route translated to Chat or Anthropic, Keyway compacts with the route's model
/// (<see cref="ResponsesCompactEndpoint"/>, <see cref="KeywayCompaction"/>).
/// </summary>
public sealed partial class ProxyForwarder
{
    public Task ForwardCompactAsync(HttpContext context) => RunAsync(context, ClientProtocol.OpenAIResponses, async (exchange, request) =>
    {
        if (!await SendAndRelayAsync(
            exchange,
            target => CompactPlanFor(exchange, request, target, target.Provider.EndpointFor(WireFormat.OpenAIResponses)),
            exchange.Route!.HasNativeEndpoints ? target => CompactPlanFor(exchange, request, target, target.Provider.MainEndpoint) : null))
        {
            await RejectProtocolMismatchAsync(exchange);
        }
    });

    private RelayPlan? CompactPlanFor(ProxyExchange exchange, ParsedRequest request, RouteTarget target, UpstreamEndpoint endpoint)
    {
        var upstream = endpoint.Protocol.Wire();
        var path = UpstreamProtocols.For(endpoint.Protocol).ChatPath;
        if (upstream == WireFormat.OpenAIResponses)
        {
            var body = WithRouteDefaults(exchange, request.EditedFor(target.UpstreamModel, injectUsage: false), target, endpoint);
            return new RelayPlan(endpoint, path + "/compact", body, Watcher: null, UsageFormat.Response, ChatAnswer: true);
        }
        if (!TranslationPipeline.CanTranslate(WireFormat.OpenAIResponses, upstream))
        {
            return null;
        }
        var compaction = ResponsesCompactEndpoint.AsCompactionRequest(request.Body);
        return TranslatedPlan(exchange, target, endpoint, path, compaction) with
        {
            ReshapeAnswer = answer => ResponsesCompactEndpoint.Resource(request.Body, answer),
        };
    }
}
