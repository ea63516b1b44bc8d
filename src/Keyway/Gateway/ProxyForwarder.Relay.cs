using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Usage;
using Keyway.Upstreams;
using Microsoft.AspNetCore.Http.Features;

namespace Keyway.Gateway;

/// <summary>Step 5: bring the chosen attempt's answer back to the client.</summary>
public sealed partial class ProxyForwarder
{
    /// <returns>
    /// Null when the answer went to the client (or failed in its protocol there); otherwise the 200 turned out to be no
    /// answer before anything reached the client (a stream without an event, a body that is not JSON, an error object),
    /// and the caller fails over as after any other failure of the key.
    /// </returns>
    private async Task<NoAnswer?> RelayResponseAsync(ProxyExchange exchange, RelayPlan plan, HttpResponseMessage response, UpstreamKey key, CancellationTokenSource idle)
    {
        var status = (int)response.StatusCode;
        // A plan that relays errors as they are still never relays a redirect, which would send the client to the upstream,
        // nor a final 1xx, which is no answer.
        if (!response.IsSuccessStatusCode && (!plan.RelayAsIs || UpstreamErrorResponse.IsNeverRelayed(status)))
        {
            var relayed = await UpstreamErrorResponse.BuildAsync(response, exchange.Protocol, exchange.Target!.Provider, exchange.Secrets, idle.Token);
            exchange.StatusCode = relayed.Status;
            Record(exchange, ForwardError.UpstreamStatus, relayed.Message);
            await WriteBufferedAsync(exchange, relayed.Status, relayed.Body, response, idle, relayHeaders: false);
            return null;
        }
        exchange.StatusCode = status;
        exchange.UpstreamProtocol = plan.Endpoint.Protocol;
        exchange.Translated = plan.Translation is not null;
        if (ResponseHeaders.IsEventStream(response))
        {
            exchange.StreamTranslator = StreamTranslatorFor(exchange, plan, out var upstreamReport);
            if (plan.WebSearch is not null)
            {
                return await RelaySearchStreamAsync(exchange, plan, response, key, idle);
            }
            // A translator that reads the upstream's stream anyway is its watcher too (one read per event).
            var watcher = upstreamReport is not null ? new ChatStreamReportWatcher(upstreamReport) : plan.Watcher ?? new PassThroughWatcher();
            await using var events = await response.Content.ReadAsStreamAsync(idle.Token);
            return await RelayEventStreamAsync(exchange, watcher, response, events, wholeAnswer: false, idle, EstimateSourceOf(plan, upstreamReport));
        }
        if (plan.StreamAnswer && response.IsSuccessStatusCode)
        {
            await RelayBodyAsync(exchange, response, idle);
            return null;
        }
        byte[] body;
        try
        {
            body = await ReadWholeBodyAsync(exchange, response, idle.Token);
        }
        catch (Exception e) when (response.IsSuccessStatusCode && IsUpstreamsBreak(exchange, e))
        {
            return WholeBodyBrokeOff(exchange, e);
        }
        if (plan.ChatAnswer && response.IsSuccessStatusCode && NoAnswerIn(exchange, response, body) is { } unusable)
        {
            return unusable;
        }
        if (plan.ChatAnswer && exchange.Stream && plan.WebSearch is null && response.IsSuccessStatusCode)
        {
            return await RelayWholeAsStreamAsync(exchange, plan, response, body, idle);
        }
        if (plan.Translation is { } answerTranslation && plan.WebSearch is null && response.IsSuccessStatusCode)
        {
            return await WriteTranslatedAsync(exchange, plan, answerTranslation, body, response, idle, recordUsageAs: plan.BodyUsage);
        }
        exchange.Usage = UsageOf(plan.BodyUsage, body, out var brokeOff, out var cutShort);
        // The usage scan walks the object anyway, so the check of an answer cut short costs nothing; on a surface beyond
        // chat only a body that opens as an object is judged (a transcription's text or SRT is no JSON).
        if (cutShort && response.IsSuccessStatusCode && (plan.ChatAnswer || AnswerBody.StartsLikeJsonObject(body)))
        {
            return CutShort(exchange);
        }
        if (plan.WebSearch is not null && response.IsSuccessStatusCode)
        {
            var end = await SearchUntilAnsweredAsync(exchange, plan, body, brokeOff, key, idle);
            if (end.Unusable is { } laterRound)
            {
                return laterRound;
            }
            if (plan.ChatAnswer && exchange.Stream)
            {
                return await RelayWholeAsStreamAsync(exchange, plan, response, end.Body, idle);
            }
            (body, brokeOff) = (end.Body, end.BrokeOff);
        }
        // A passed-through Chat answer that broke off (GLM's network_error), the search loop's last one too, reached no
        // client yet: no answer, the key's failure. A translated one is the translator's to find.
        if (brokeOff is not null && plan is { ChatAnswer: true, Translation: null } && response.IsSuccessStatusCode)
        {
            return BrokeOff(exchange, brokeOff);
        }
        if (plan.WebSearch is null && response.IsSuccessStatusCode)
        {
            UsageEstimate.CompleteWhole(exchange, plan);
        }
        if (!response.IsSuccessStatusCode)
        {
            exchange.Error = UpstreamErrorMessage.Extract(body, 500);
        }
        if (plan.Translation is { } translation)
        {
            return await WriteTranslatedAsync(exchange, plan, translation, body, response, idle, recordUsageAs: null);
        }
        // A chat surface's answer passed the checks above that read it as plain JSON, so a Content-Encoding on it is false;
        // any other body (an embedding, a relayed error) goes as it came, header and all.
        await WriteBufferedAsync(exchange, status, body, response, idle, relayHeaders: true, bytesAsSent: !plan.ChatAnswer);
        return null;
    }

    /// <summary>
    /// Writes the answer in the client's protocol. With <paramref name="recordUsageAs"/> the upstream answer's usage is
    /// recorded too, from the translator's own read of it when it has one (no second pass over the body). A 200 holding
    /// only an error object (some OpenAI-compatible vendors answer errors so) is no answer: the caller fails over.
    /// </summary>
    private async Task<NoAnswer?> WriteTranslatedAsync(
        ProxyExchange exchange, RelayPlan plan, TranslationPipeline translation, byte[] upstreamBody, HttpResponseMessage response, CancellationTokenSource idle,
        UsageFormat? recordUsageAs)
    {
        byte[] body;
        TokenUsage? upstreamUsage = null;
        try
        {
            body = translation.TranslateResponse(Utf8Repair.Of(upstreamBody), out upstreamUsage);
            if (plan.ReshapeAnswer is { } reshape)
            {
                body = reshape(body);
            }
        }
        catch (TranslationException e)
        {
            if (response.IsSuccessStatusCode && ErrorInAnswer(exchange, upstreamBody) is { } unusable)
            {
                return unusable;
            }
            if (response.IsSuccessStatusCode && AnswerBody.IsCutShort(upstreamBody))
            {
                return CutShort(exchange);
            }
            var message = GatewayMessages.TranslationFailed(exchange.Target!.Provider.ProviderId, e.Message);
            // An answer that says it broke off reached no client yet: no answer, failed over as a 200 holding an error is.
            if (e.UpstreamBrokeOff && response.IsSuccessStatusCode)
            {
                return Unusable(exchange, message, ForwardError.ResponseBodyUpstream);
            }
            RecordUsage(exchange, plan, recordUsageAs, upstreamBody, upstreamUsage);
            await FailAsync(exchange, e.UpstreamBrokeOff ? ForwardError.ResponseBodyUpstream : ForwardError.TranslationFailed, message);
            return null;
        }
        RecordUsage(exchange, plan, recordUsageAs, upstreamBody, upstreamUsage);
        if (plan.Turn is { InputToStore: not null } turn)
        {
            await SaveTurnAsync(exchange, turn, translation.ResponseId, body);
        }
        await WriteBufferedAsync(exchange, exchange.StatusCode, body, response, idle, relayHeaders: false);
        return null;
    }

    private static void RecordUsage(ProxyExchange exchange, RelayPlan plan, UsageFormat? format, byte[] upstreamBody, TokenUsage? alreadyRead)
    {
        if (format is { } usageFormat)
        {
            exchange.Usage = alreadyRead ?? UsageOf(usageFormat, upstreamBody);
            UsageEstimate.CompleteWhole(exchange, plan);
        }
    }

    /// <summary>
    /// A whole body to the client, each wait on a client that does not read bounded by the client stall timeout (the
    /// attempt's timer, <see cref="ClientWrite"/>), so it does not hold the key's place for as long as Kestrel's minimum
    /// data rate would allow for the body's size.
    /// </summary>
    /// <param name="bytesAsSent">The upstream's Content-Encoding goes along (<see cref="ResponseHeaders.Copy"/>).</param>
    private async Task WriteBufferedAsync(
        ProxyExchange exchange, int status, byte[] body, HttpResponseMessage upstreamResponse, CancellationTokenSource idle, bool relayHeaders,
        bool bytesAsSent = false)
    {
        var response = exchange.Context.Response;
        if (relayHeaders)
        {
            ResponseHeaders.Copy(upstreamResponse, response, exchange.Secrets, bytesAsSent);
        }
        else
        {
            response.ContentType = "application/json";
            if (RetryAfterSeconds(exchange) is { } seconds)
            {
                response.Headers.RetryAfter = seconds;
            }
            else if (upstreamResponse.Headers.RetryAfter is { } retryAfter)
            {
                response.Headers.RetryAfter = retryAfter.ToString();
            }
        }
        response.StatusCode = status;
        response.ContentLength = body.Length;
        exchange.FirstByteTimestamp = time.GetTimestamp();
        switch (await ClientWrite.WriteAsync(response.BodyWriter, body, idle, RelayTimeoutsOf(exchange.Target!.Provider), idle.Token))
        {
            case CopyResult.OutputStalled:
                RecordClientStalled(exchange);
                break;
            case CopyResult.Canceled when !exchange.Aborted.IsCancellationRequested && await EndedByDrainAsync(exchange):
                exchange.Context.Abort();
                break;
            case CopyResult.Canceled or CopyResult.OutputError:
                Record(exchange, ForwardError.ClientCanceled, "client closed the request");
                break;
        }
    }

    /// <summary>
    /// The one funnel for upstream-stage failures: notes them for the log and answers the client in
    /// its protocol — a JSON error before the response started, the protocol's SSE error event after.
    /// </summary>
    /// <param name="level">The server log's level for it: a cooling pool's repeated refusals are Debug (<see cref="CoolingPoolWarnings"/>).</param>
    private async Task FailAsync(ProxyExchange exchange, ForwardError error, string message, LogLevel level = LogLevel.Warning)
    {
        Record(exchange, error, message, level);
        var context = exchange.Context;
        if (exchange.Aborted.IsCancellationRequested)
        {
            return;
        }
        if (!exchange.AnswerBegun)
        {
            if (RetryAfterSeconds(exchange) is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds;
            }
            await ProtocolErrorWriter.WriteAsync(context, exchange.Protocol, exchange.StatusCode, message);
            return;
        }
        if (exchange.Stream || ResponseHeaders.IsEventStream(context.Response.ContentType))
        {
            try
            {
                if (exchange.StreamTranslator is { } translator)
                {
                    translator.Fail(exchange.StatusCode, message, context.Response.BodyWriter);
                    await context.Response.BodyWriter.FlushAsync(exchange.Aborted);
                }
                else
                {
                    await context.Response.BodyWriter.WriteAsync(ProtocolErrorWriter.StreamEvent(exchange.Protocol, exchange.StatusCode, message), exchange.Aborted);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
            {
                Log.ClientGoneDuringError(logger, e.GetType().Name);
            }
        }
    }

    /// <summary>
    /// A stream whose upstream ended properly: a translator closes the client's stream (a stored Responses turn is
    /// written first, then its held <c>response.completed</c>), and the response is completed at once, so those closing
    /// events, the last ones the relay left unflushed and the response's own end leave in one send before the request is logged.
    /// </summary>
    private async Task EndEventStreamAsync(ProxyExchange exchange)
    {
        if (exchange.Aborted.IsCancellationRequested)
        {
            return;
        }
        try
        {
            exchange.StreamTranslator?.Complete(exchange.Context.Response.BodyWriter);
            await ReleaseStoredTurnAsync(exchange);
            await exchange.Context.Response.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            Record(exchange, ForwardError.ResponseBodyClient, "client closed the stream");
        }
    }

    private void Record(ProxyExchange exchange, ForwardError error, string message, LogLevel level = LogLevel.Warning)
    {
        exchange.StatusCode = error.StatusCode(upstreamStatus: exchange.StatusCode);
        exchange.Error = message;
        exchange.LastError = error;
        Log.ForwardFailed(logger, level, error, (exchange.Target?.Provider ?? exchange.Route?.Provider)?.ProviderId ?? "", message);
    }

    /// <summary>Whole seconds until the earliest cooling key recovers (at least 1), when keys were passed over.</summary>
    private string? RetryAfterSeconds(ProxyExchange exchange) =>
        exchange.RetryAt is { } at && at != DateTimeOffset.MaxValue
            ? Math.Max(1, (long)Math.Ceiling((at - time.GetUtcNow()).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static partial class Log
    {
        [LoggerMessage(Message = "Forwarding to {ProviderId} failed at {Error}: {Message}")]
        public static partial void ForwardFailed(ILogger logger, LogLevel level, ForwardError error, string providerId, string message);

        [LoggerMessage(Level = LogLevel.Debug, Message = "The client was gone before the stream error event could be written ({Reason})")]
        public static partial void ClientGoneDuringError(ILogger logger, string reason);
    }
}
