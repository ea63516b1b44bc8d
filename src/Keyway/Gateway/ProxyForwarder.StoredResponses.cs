using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Responses conversation state on routes Keyway translates (<see cref="StoredResponses"/>): a request that continues a
/// stored response gets its conversation before its input, and an answered turn is stored before the answer's end
/// leaves (the body, or the stream's <c>response.completed</c>). Requests without that state (other protocols,
/// pass-through routes, <c>store: false</c> without <c>previous_response_id</c>) never come here.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <summary>
    /// A Responses request whose route's first target is translated, and that continues a response or is to be stored
    /// (<c>store</c> not false, and storing on): an upstream of the Responses protocol keeps its own state instead.
    /// </summary>
    private bool HasConversationState(ProxyExchange exchange, ParsedRequest request) =>
        exchange.Protocol == ClientProtocol.OpenAIResponses
        && (request.Parsed.PreviousResponseId is not null || (!request.Parsed.StoreOff && storedResponses.Enabled))
        && exchange.Route!.Provider.EndpointFor(WireFormat.OpenAIResponses).Protocol.Wire() != WireFormat.OpenAIResponses;

    /// <summary>The turn the request begins; null when its previous response is not the key's (answered with OpenAI's 400).</summary>
    private async Task<ResponsesTurn?> BeginResponsesTurnAsync(ProxyExchange exchange, ParsedRequest request)
    {
        var previousId = request.Parsed.PreviousResponseId;
        var body = request.Body;
        if (previousId is not null)
        {
            if (await storedResponses.LoadChainAsync(exchange.Key!, previousId, exchange.Aborted) is not { } turns)
            {
                await RejectAsync(exchange, StatusCodes.Status400BadRequest, GatewayMessages.PreviousResponseNotFound(previousId),
                    "previous_response_not_found", "previous_response_id");
                return null;
            }
            body = ResponsesConversation.Continued(request.Body, turns);
        }
        var store = !request.Parsed.StoreOff && storedResponses.Enabled;
        return new ResponsesTurn(body, new ResponseStorage(store, previousId), store ? ResponsesConversation.InputItems(request.Body) : null);
    }

    /// <summary>The plan's stream translator; for a turn to store, one that holds back <c>response.completed</c>.</summary>
    private static IStreamTranslator? StreamTranslatorFor(ProxyExchange exchange, RelayPlan plan, out ChatStreamReport? upstreamReport)
    {
        upstreamReport = null;
        var translator = plan.Translation?.CreateStreamTranslator(out upstreamReport);
        exchange.TurnStream = translator is not null && plan.Turn is { InputToStore: not null } turn
            ? new StoredTurnStream(translator, turn, plan.Translation!.ResponseId)
            : null;
        return exchange.TurnStream ?? translator;
    }

    /// <summary>A stream that ended properly: its turn is stored, then the held <c>response.completed</c> goes out.</summary>
    private async Task ReleaseStoredTurnAsync(ProxyExchange exchange)
    {
        if (exchange.TurnStream is not { Held: { } completed } stream)
        {
            return;
        }
        if (ResponsesConversation.ResponseOfCompletedEvent(completed) is { } response)
        {
            await SaveTurnAsync(exchange, stream.Turn, stream.ResponseId, response);
        }
        stream.Release(exchange.Context.Response.BodyWriter);
    }

    private Task SaveTurnAsync(ProxyExchange exchange, ResponsesTurn turn, string responseId, byte[] response) =>
        storedResponses.SaveAsync(exchange.Key!, responseId, turn.Storage.PreviousResponseId, turn.InputToStore!, response, exchange.Aborted);
}
