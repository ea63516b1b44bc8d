using System.Text.Json.Nodes;
using Keyway.Protocols.Usage;
using Keyway.Protocols.WholeAnswers;
using Keyway.Tools;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// The search loop of a streamed answer. The client's stream starts at once; each upstream round goes through a
/// <see cref="WebSearchStreamStage"/> (a round the upstream answered whole, as the events it would have streamed),
/// which holds it until it shows text or a client tool call and then streams it live. A round that ends holding only
/// <c>tavily_search</c> calls is not shown: the gateway searches (sending keep-alives meanwhile: an SSE comment for
/// OpenAI clients, a <c>ping</c> event for Anthropic ones), appends the round and the results, and streams the next
/// round — at most <see cref="MaxSearchRounds"/> times, then once more with tools forbidden. A round already streaming
/// live cannot be taken back: its own search calls, if any, reach the client as they are.
/// </summary>
public sealed partial class ProxyForwarder
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(5);

    /// <returns>Null when the stream ended; a later round's error status otherwise, which the attempt loop ends the stream with.</returns>
    /// <remarks>
    /// A client that leaves while a round's events are relayed ends the stream there, its cost counted by the loop; one
    /// that leaves while a later round is searched, sent or awaited is the caller's to log, the rounds' cost counted first
    /// (<see cref="UsageEstimate.CompleteLeftRound"/>).
    /// </remarks>
    private async Task<NoAnswer?> RelaySearchStreamAsync(ProxyExchange exchange, RelayPlan plan, HttpResponseMessage first, UpstreamKey key, CancellationTokenSource idle)
    {
        // The first round's body went upstream with the attempt: left before its events, it is the round left.
        UpstreamBody? sending = plan.Body;
        try
        {
            return await RelaySearchStreamRoundsAsync(exchange, plan, first, key, idle, body => sending = body);
        }
        catch (OperationCanceledException) when (exchange.Aborted.IsCancellationRequested)
        {
            UsageEstimate.CompleteLeftRound(exchange, plan, exchange.Usage, sending);
            throw;
        }
    }

    /// <param name="sending">Told the body of the round being sent, and null once its events were relayed.</param>
    private async Task<NoAnswer?> RelaySearchStreamRoundsAsync(
        ProxyExchange exchange, RelayPlan plan, HttpResponseMessage first, UpstreamKey key, CancellationTokenSource idle, Action<UpstreamBody?> sending)
    {
        StartEventStream(exchange, first);
        await exchange.Context.Response.StartAsync(exchange.Aborted);
        var dialect = WebSearchDialect.For(plan.Endpoint.Protocol.Wire());
        var translator = exchange.StreamTranslator;
        var response = first;
        var events = await first.Content.ReadAsStreamAsync(idle.Token);
        var watcher = plan.Watcher!;
        var roundBody = plan.Body;
        JsonObject? request = null;
        TokenUsage? earlier = null;
        for (var round = 1; ; round++)
        {
            var stage = new WebSearchStreamStage(dialect, translator, earlier,
                (status, message) => ProtocolErrorWriter.StreamEvent(exchange.Protocol, status, message));
            exchange.StreamTranslator = stage;
            CopyResult result;
            using (response == first ? null : response)
            {
                result = await CopyEventStreamAsync(exchange, watcher, stage, events, idle);
            }
            sending(null);
            var usage = Sum(earlier, watcher.Usage);
            exchange.Usage = usage;
            if (result != CopyResult.Success || !watcher.Completed || watcher.ErrorMessage is not null || stage.Live
                || dialect.Read(stage.Answer()) is not { Ours.Count: > 0, CallsClientTools: false } turn)
            {
                // The round the stream ends on (the final one, or the one the client left) is counted as a plain stream is:
                // what it did not report is estimated, its prompt over the body it sent.
                if (UsageEstimate.OfStream(exchange, watcher.Usage, watcher.Completed, stage.DataEvents, roundBody) is { } estimated)
                {
                    exchange.Usage = Sum(earlier, estimated);
                    exchange.UsageEstimated = estimated != watcher.Usage;
                }
                await FinishEventStreamAsync(exchange, watcher, result);
                return null;
            }
            request ??= ParseObject(plan.Body.ToArray())!;
            if (round > MaxSearchRounds)
            {
                dialect.ForbidTools(request);
            }
            else
            {
                dialect.AppendRound(request, stage.Answer(), await SearchKeepingAliveAsync(exchange, plan.WebSearch!, turn.Ours, idle.Token));
            }
            roundBody = UpstreamBody.Of(Serialize(request));
            sending(roundBody);
            var next = await SendRoundAsync(exchange, plan, key, roundBody, idle);
            if (!next.IsSuccessStatusCode)
            {
                return NoAnswer.Refused(next, usage);
            }
            if (await RoundEventsAsync(exchange, plan, next, idle) is not { } nextEvents)
            {
                return null;
            }
            (response, events, watcher, earlier) = (next, nextEvents, plan.NewWatcher!(), usage);
        }
    }

    /// <summary>
    /// A later round's events: its stream, or, when the upstream ignored <c>stream: true</c> and answered a whole body, that
    /// answer as the events its protocol would have streamed (<see cref="WholeAnswerStream"/>), so the round goes through
    /// the stage and the client's translator as a streamed one would: shown, or held and searched when it calls only
    /// <c>tavily_search</c>. Null when the whole body is no answer (an error object, a vendor's failure status, a page
    /// that is not JSON, an answer that broke off): the client's stream began already, so it ends with that error in the
    /// client's protocol, and the key's failure is as the first answer's check makes it.
    /// </summary>
    private async Task<Stream?> RoundEventsAsync(ProxyExchange exchange, RelayPlan plan, HttpResponseMessage round, CancellationTokenSource idle)
    {
        if (ResponseHeaders.IsEventStream(round))
        {
            return await round.Content.ReadAsStreamAsync(idle.Token);
        }
        var body = await ReadWholeBodyAsync(exchange, round, idle.Token);
        var providerId = exchange.Target!.Provider.ProviderId;
        var message = WhyNoAnswer(providerId, round, body, out var vendorFailure);
        if (message is null)
        {
            var whole = WholeAnswerStream.ToEvents(plan.Endpoint.Protocol.Wire(), body, MaxErrorChars);
            if (whole.Events is { } events)
            {
                return new MemoryStream(events, writable: false);
            }
            // A round whose JSON ends before it is complete (a Content-Length shorter than the answer) says so, as a first one does.
            message = AnswerBody.IsCutShort(body) ? GatewayMessages.CutShort(providerId) : GatewayMessages.NoAnswerWith200(providerId, whole.Error);
        }
        round.Dispose();
        await FailAsync(exchange, ForwardError.ResponseBodyUpstream, message);
        exchange.VendorFailure = vendorFailure;
        return null;
    }

    /// <summary>The searches of one round, with a keep-alive at once and then every few seconds until they are done.</summary>
    private async Task<(WebSearchCall Call, string Result)[]> SearchKeepingAliveAsync(
        ProxyExchange exchange, WebSearchProvider provider, IReadOnlyList<WebSearchCall> calls, CancellationToken cancellationToken)
    {
        var keepAlive = KeepAliveEvent(exchange.Protocol);
        var searches = SearchAllAsync(exchange, provider, calls, cancellationToken);
        do
        {
            await exchange.Context.Response.BodyWriter.WriteAsync(keepAlive, exchange.Aborted);
        }
        while (await Task.WhenAny(searches, Task.Delay(KeepAliveInterval, time, exchange.Aborted)) != searches && !exchange.Aborted.IsCancellationRequested);
        return await searches;
    }

    private static byte[] KeepAliveEvent(ClientProtocol client) => client == ClientProtocol.AnthropicMessages
        ? "event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray()
        : ": keepalive\n\n"u8.ToArray();
}
