using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Usage;
using Keyway.Upstreams;
using Microsoft.AspNetCore.Http.Features;

namespace Keyway.Gateway;

/// <summary>Step 5 for a stream: relaying the upstream's events (or a whole answer as events) to the client, and how the stream ended.</summary>
public sealed partial class ProxyForwarder
{
    /// <summary>The body whose prompt <see cref="UsageEstimate"/> counts when a watched stream's usage is missing; null for streams Keyway does not watch.</summary>
    private static UpstreamBody? EstimateSourceOf(RelayPlan plan, ChatStreamReport? upstreamReport) =>
        plan.Watcher is not null || upstreamReport is not null ? plan.Body : null;

    /// <summary>
    /// Relays <paramref name="events"/> (the upstream's stream, or with <paramref name="wholeAnswer"/> its JSON answer as
    /// events). The client's status and headers are set at the first write, so a stream that ended or broke before
    /// bringing anything for the client leaves the response untouched: it is no answer, and the caller fails over.
    /// With <paramref name="estimateFrom"/>, usage the upstream did not report for what was relayed is estimated.
    /// </summary>
    private async Task<NoAnswer?> RelayEventStreamAsync(
        ProxyExchange exchange, IStreamWatcher upstreamWatcher, HttpResponseMessage response, Stream events, bool wholeAnswer, CancellationTokenSource idle,
        UpstreamBody? estimateFrom)
    {
        var watcher = new LeadingErrorWatcher(upstreamWatcher, idle, time);
        var result = await CopyEventStreamAsync(exchange, watcher, exchange.StreamTranslator, events, idle, () =>
        {
            if (exchange.FirstByteTimestamp is null)
            {
                StartEventStream(exchange, response, wholeAnswer);
                exchange.FirstByteTimestamp = time.GetTimestamp();
            }
        });
        if (!exchange.AnswerBegun && !exchange.Aborted.IsCancellationRequested)
        {
            // Nothing reached the client: a stream that ended, broke or stayed silent until the provider's timeout before
            // the answer's first event, or opened with an error (its reads canceled then), is no answer, as a failure before the headers would be.
            var provider = exchange.Target!.Provider;
            switch (result)
            {
                case CopyResult.Success or CopyResult.InputError or CopyResult.Canceled when watcher.LeadingStatus is { } leadingStatus:
                    return VendorFailure(exchange, leadingStatus);
                case CopyResult.Success or CopyResult.InputError or CopyResult.Canceled when watcher.LeadingError is { } leadingError:
                    return Unusable(exchange, GatewayMessages.ErrorWith200(provider.ProviderId, leadingError));
                case CopyResult.Success or CopyResult.InputError:
                    return Unusable(exchange, GatewayMessages.EmptyStream(provider.ProviderId));
                case CopyResult.Canceled:
                    return Unusable(exchange, GatewayMessages.Timeout(provider.ProviderId, provider.Timeout), ForwardError.UpstreamTimeout);
            }
        }
        exchange.Usage = watcher.Usage;
        if (estimateFrom is not null)
        {
            UsageEstimate.Complete(exchange, watcher, estimateFrom);
        }
        await FinishEventStreamAsync(exchange, watcher, result);
        return null;
    }

    /// <param name="wholeAnswer">The upstream answered JSON: the client's stream is an event stream all the same.</param>
    private static void StartEventStream(ProxyExchange exchange, HttpResponseMessage response, bool wholeAnswer = false)
    {
        var client = exchange.Context.Response;
        ResponseHeaders.Copy(response, client, exchange.Secrets);
        if (wholeAnswer)
        {
            client.ContentType = "text/event-stream";
        }
        client.StatusCode = exchange.StatusCode;
        client.Headers.CacheControl = "no-cache";
        client.Headers["X-Accel-Buffering"] = "no";
        exchange.Context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>A round of the search loop (its stream, or a whole answer as events), whose client stream has begun already.</summary>
    private async Task<CopyResult> CopyEventStreamAsync(
        ProxyExchange exchange, IStreamWatcher watcher, IStreamTranslator? translator, Stream round, CancellationTokenSource idle)
    {
        await using (round)
        {
            return await CopyEventStreamAsync(exchange, watcher, translator, round, idle, () => exchange.FirstByteTimestamp ??= time.GetTimestamp());
        }
    }

    private async Task<CopyResult> CopyEventStreamAsync(
        ProxyExchange exchange, IStreamWatcher watcher, IStreamTranslator? translator, Stream upstreamBody, CancellationTokenSource idle, Action onWrite)
    {
        var (result, _) = await SseRelay.CopyAsync(upstreamBody, exchange.Context.Response.BodyWriter, watcher, translator, exchange.Secrets,
            onWrite, idle, RelayTimeoutsOf(exchange.Target!.Provider), idle.Token);
        return result;
    }

    /// <summary>An attempt's relay timeouts: the provider's after each upstream read, the client stall bound while a write waits for the client.</summary>
    private RelayTimeouts RelayTimeoutsOf(UpstreamProvider provider) => new(provider.Timeout, options.Limits.ClientStall);

    /// <summary>
    /// The client stopped reading (<see cref="ClientWrite"/>): logged 499, and its connection aborted, since completing
    /// the response would wait on it again.
    /// </summary>
    private void RecordClientStalled(ProxyExchange exchange)
    {
        Record(exchange, ForwardError.ResponseBodyClient, GatewayMessages.ClientStalled(options.Limits.ClientStallTimeout));
        exchange.Context.Abort();
    }

    /// <summary>How the relayed stream ended, for the log and the client: closed by the translator, or failed in the client's protocol.</summary>
    private async Task FinishEventStreamAsync(ProxyExchange exchange, IStreamWatcher watcher, CopyResult result)
    {
        var providerId = exchange.Target!.Provider.ProviderId;
        switch (result)
        {
            // A failure in the upstream's own shape (MiniMax's base_resp) was withheld: the client's protocol's error event ends the stream.
            case CopyResult.Success or CopyResult.InputError when watcher is { ErrorWithheld: true, ErrorMessage: { } withheld }:
                await FailAsync(exchange, ForwardError.ResponseBodyUpstream, withheld);
                exchange.VendorFailure = watcher.VendorFailure;
                break;
            case CopyResult.Success when watcher.ErrorMessage is { } upstreamError:
                Record(exchange, ForwardError.ResponseBodyUpstream, upstreamError);
                exchange.VendorFailure = watcher.VendorFailure;
                await EndEventStreamAsync(exchange);
                break;
            case CopyResult.Success when watcher.Completed || watcher.EndsAtClose:
            // The client had the upstream's end event and hung up (Codex does, on response.completed) or the upstream
            // lingered after it: what was lost is only the connection's close, the answer was whole.
            case CopyResult.Canceled or CopyResult.InputError when watcher.Completed:
                await EndEventStreamAsync(exchange);
                break;
            case CopyResult.Success:
            case CopyResult.InputError:
                await FailAsync(exchange, ForwardError.ResponseBodyUpstream, GatewayMessages.StreamBroke(providerId));
                break;
            case CopyResult.Canceled when !exchange.Aborted.IsCancellationRequested && await EndedByDrainAsync(exchange):
                break;
            case CopyResult.Canceled when !exchange.Aborted.IsCancellationRequested:
                await FailAsync(exchange, ForwardError.UpstreamTimeout, GatewayMessages.Timeout(providerId, exchange.Target.Provider.Timeout));
                break;
            case CopyResult.Canceled:
            case CopyResult.OutputError:
                Record(exchange, ForwardError.ResponseBodyClient, "client closed the stream");
                break;
            case CopyResult.OutputStalled:
                RecordClientStalled(exchange);
                break;
        }
    }
}
