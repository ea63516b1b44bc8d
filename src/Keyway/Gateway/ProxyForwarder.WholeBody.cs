using Keyway.Protocols;
using Keyway.Protocols.WholeAnswers;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>Step 5, a whole body: how the attempt reads an upstream's whole body, and judges a 200 that holds no answer.</summary>
public sealed partial class ProxyForwarder
{
    /// <summary>How much of the message of an error object a 200 held instead of an answer the client and the log get.</summary>
    private const int MaxErrorChars = 500;

    /// <summary>
    /// An upstream's whole body as every step reads it. Masked once here, whatever becomes of it (relayed, translated, an
    /// error's message, a search round's turn): a body without any secret is searched (vectorized) and not copied. A
    /// UTF-8 byte order mark is dropped: no part of the JSON (RFC 8259 §8.1 lets a reader ignore it), and the parsers
    /// the translators, the usage scan and the whole-answer stream read with refuse it.
    /// </summary>
    private static async Task<byte[]> ReadWholeBodyAsync(ProxyExchange exchange, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = exchange.Secrets.Scrub(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return body.AsSpan().StartsWith("\uFEFF"u8) ? body[3..] : body;
    }

    /// <summary>
    /// Whether reading a body failed on the upstream's side: it broke off (a reset, a body shorter than its framing) or
    /// went silent past the attempt's time. A client that left, or the gateway stopping, is not the upstream's break.
    /// </summary>
    private bool IsUpstreamsBreak(ProxyExchange exchange, Exception e) =>
        e is (OperationCanceledException or IOException or HttpRequestException) && !exchange.Aborted.IsCancellationRequested && !drain.HasEnded;

    /// <summary>
    /// A 200 whose body broke off or stalled before it was whole reached no client yet (a whole answer is read before any
    /// of it is written): no answer, failed over as a reset (502) or a timeout (504) before the headers is.
    /// </summary>
    private static NoAnswer WholeBodyBrokeOff(ProxyExchange exchange, Exception e)
    {
        var provider = exchange.Target!.Provider;
        return e is OperationCanceledException
            ? Unusable(exchange, GatewayMessages.Timeout(provider.ProviderId, provider.Timeout), ForwardError.UpstreamTimeout)
            : Unusable(exchange, GatewayMessages.StreamBroke(provider.ProviderId), ForwardError.ResponseBodyUpstream);
    }

    /// <summary>
    /// A whole answer whose JSON ends before its object does (its Content-Length said it ended there) reached no client
    /// yet: no answer, failed over as a body that broke off is; a later web-search round's as the first answer's.
    /// </summary>
    private static NoAnswer CutShort(ProxyExchange exchange) =>
        Unusable(exchange, GatewayMessages.CutShort(exchange.Target!.Provider.ProviderId), ForwardError.ResponseBodyUpstream);

    /// <summary>
    /// A whole answer to a client that asked for a stream (the upstream ignored <c>stream: true</c>): as the events of
    /// the upstream's protocol (<see cref="WholeAnswerStream"/>), through the plan's watcher and translator as a streamed
    /// answer would go, so the client gets its protocol's complete stream and the log the usage.
    /// </summary>
    private async Task<NoAnswer?> RelayWholeAsStreamAsync(ProxyExchange exchange, RelayPlan plan, HttpResponseMessage response, byte[] answer, CancellationTokenSource idle)
    {
        var whole = WholeAnswerStream.ToEvents(plan.Endpoint.Protocol.Wire(), answer, MaxErrorChars);
        if (whole.Events is not { } events)
        {
            return Unusable(exchange, GatewayMessages.NoAnswerWith200(exchange.Target!.Provider.ProviderId, whole.Error),
                whole.BrokeOff ? ForwardError.ResponseBodyUpstream : ForwardError.UpstreamAnswerUnusable);
        }
        exchange.StreamTranslator = StreamTranslatorFor(exchange, plan, out var upstreamReport);
        // A fresh watcher: an earlier key's stream may have shown the plan's own one events before it came to nothing.
        var watcher = upstreamReport is not null ? new ChatStreamReportWatcher(upstreamReport) : plan.NewWatcher?.Invoke() ?? plan.Watcher ?? new PassThroughWatcher();
        using var stream = new MemoryStream(events, writable: false);
        return await RelayEventStreamAsync(exchange, watcher, response, stream, wholeAnswer: true, idle, EstimateSourceOf(plan, upstreamReport));
    }

    /// <summary>
    /// A chat surface's 200 that is no answer (<see cref="WhyNoAnswer"/>), as a failure of the key: a vendor's failure status
    /// as its status would make it (a quota, a rate limit, a refused key), and with no key left the client's error.
    /// </summary>
    private static NoAnswer? NoAnswerIn(ProxyExchange exchange, HttpResponseMessage response, byte[] body) =>
        WhyNoAnswer(exchange.Target!.Provider.ProviderId, response, body, out var vendorFailure) is not { } message ? null
            : vendorFailure is { } failed ? VendorFailure(exchange, failed)
            : Unusable(exchange, message);

    /// <summary>
    /// Why a chat surface's 200 is no answer, judged from the body's first bytes, or null for an answer: not JSON (an HTML
    /// page from a wrong base URL), or an object that opens as an error (pass-through routes relay the body untouched, so
    /// nothing else would catch it); or one without a choice whose vendor status says it failed (MiniMax's
    /// <c>base_resp</c>), then <paramref name="vendorFailure"/>. Judged only, nothing on the exchange changes: a search
    /// loop whose client stream began tells the client in it instead.
    /// </summary>
    private static string? WhyNoAnswer(string providerId, HttpResponseMessage response, byte[] body, out VendorStatusInBody.Failure? vendorFailure)
    {
        vendorFailure = null;
        if (!AnswerBody.StartsLikeJsonObject(body))
        {
            return GatewayMessages.NotJson(providerId, response.Content.Headers.ContentType?.MediaType, UpstreamErrorMessage.Extract(body, 200));
        }
        if (AnswerBody.LeadsWithError(body))
        {
            return GatewayMessages.NoAnswerWith200(providerId, UpstreamErrorMessage.ErrorObjectMessage(body, MaxErrorChars));
        }
        vendorFailure = VendorStatusInBody.FailureIn(body);
        return vendorFailure is { } failed ? GatewayMessages.ErrorWith200(providerId, failed.Text) : null;
    }

    /// <summary>A vendor's own failure status in a 200 (a whole body's, or a stream's opening chunk's): the key's failure as its code makes it.</summary>
    private static NoAnswer VendorFailure(ProxyExchange exchange, VendorStatusInBody.Failure failed)
    {
        var message = GatewayMessages.ErrorWith200(exchange.Target!.Provider.ProviderId, failed.Text);
        var failure = UpstreamFailureClassifier.FromStatusInBody(failed, message);
        return Unusable(exchange, message, ForwardError.UpstreamStatus) with { Failure = failure };
    }

    /// <summary>The upstream's 200 held an error object instead of an answer: its message (the body was masked when read), as a failure of the key.</summary>
    private static NoAnswer? ErrorInAnswer(ProxyExchange exchange, byte[] body) =>
        UpstreamErrorMessage.ErrorObjectMessage(body, MaxErrorChars) is { } error
            ? Unusable(exchange, GatewayMessages.ErrorWith200(exchange.Target!.Provider.ProviderId, error))
            : null;

    /// <summary>
    /// A whole answer that broke off (GLM's network_error), to a Chat client or as a stream to any client: nothing of it
    /// reached the client yet, so it is a 200 holding an error, failed over and counted against the key like one.
    /// </summary>
    private static NoAnswer BrokeOff(ProxyExchange exchange, string brokeOff) =>
        Unusable(exchange, GatewayMessages.ErrorWith200(exchange.Target!.Provider.ProviderId, brokeOff), ForwardError.ResponseBodyUpstream);

    /// <summary>What the attempt left on the exchange is undone (nothing reached the client, no header was set); the caller fails over.</summary>
    private static NoAnswer Unusable(ProxyExchange exchange, string message, ForwardError error = ForwardError.UpstreamAnswerUnusable)
    {
        exchange.Usage = null;
        exchange.StreamTranslator = null;
        exchange.TurnStream = null;
        return new NoAnswer(error, message);
    }
}
