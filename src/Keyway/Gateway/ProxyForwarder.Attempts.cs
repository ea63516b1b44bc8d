using Keyway.Protocols;
using Keyway.Protocols.Usage;
using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// Step 4: the attempt loop over the route's targets × each target's key pool. A retryable failure (401, 403,
/// 429, 5xx, no answer) moves on to the next key or target as long as nothing reached the client; the final
/// answer goes through the same relay as a single call.
/// </summary>
public sealed partial class ProxyForwarder
{
    /// <summary>An attempt whose answer is kept, to be relayed if no later attempt does better.</summary>
    private sealed record HeldAnswer(HttpResponseMessage Response, RelayPlan Plan, UpstreamKey Key, RouteTarget Target);

    /// <summary>
    /// An attempt that got no answer at all, or a 200 that proved to be none before anything reached the client; or a later
    /// web-search round's error status (<paramref name="Refusal"/>), which is the key's answer as on its first round (<see cref="TakeRefusalAsync"/>).
    /// </summary>
    /// <param name="Failure">What the 200 said failed, when it said so in the vendor's own status code (<see cref="VendorStatusInBody"/>).</param>
    /// <param name="Answered">With <paramref name="Refusal"/>: the usage of the rounds the upstream answered before it, which the row keeps if the client leaves while the refusal is read.</param>
    private sealed record NoAnswer(
        ForwardError Error, string Message, UpstreamFailure? Failure = null, HttpResponseMessage? Refusal = null, TokenUsage? Answered = null)
    {
        public static NoAnswer Refused(HttpResponseMessage refusal, TokenUsage? answered) =>
            new(ForwardError.UpstreamStatus, $"a later web-search round was answered {(int)refusal.StatusCode}", Refusal: refusal, Answered: answered);
    }

    /// <summary>The kept answer and the last failure without one, carried over the attempts of every look at the pools.</summary>
    private sealed class AttemptOutcome : IDisposable
    {
        private HeldAnswer? _held;

        public HeldAnswer? Held
        {
            get => _held;
            set
            {
                _held?.Response.Dispose();
                _held = value;
            }
        }

        public NoAnswer? NoAnswer { get; set; }

        public void Dispose() => Held = null;
    }

    /// <summary>How one look at the route's pools ended.</summary>
    private enum AttemptsEnd
    {
        /// <summary>An answer was relayed, or the client went away: the request is over.</summary>
        Answered,

        /// <summary>Every target and key was tried or passed over; waiting for a key may still help.</summary>
        Exhausted,

        /// <summary>The client's body cannot be sent again, so no further attempt is possible.</summary>
        CannotReplay,
    }

    /// <summary>
    /// Sends with <paramref name="planForTarget"/>'s plan for each target; <paramref name="mainPlanFor"/>, when given, is a
    /// target's plan for its main endpoint, for a key with its own base URL when the target's plan calls a native one.
    /// </summary>
    /// <returns>False when no target of the route can serve this request (every plan was null); nothing was written then.</returns>
    private async Task<bool> SendAndRelayAsync(ProxyExchange exchange, Func<RouteTarget, RelayPlan?> planForTarget, Func<RouteTarget, RelayPlan?>? mainPlanFor = null)
    {
        var route = exchange.Route!;
        var session = ClientSession.AffinityOf(exchange.Context.Request.Headers);
        using var outcome = new AttemptOutcome();
        // In line from the first look that found no key until the request holds a place or gives up.
        var keyWait = new RequestKeyWait(route.KeyWait, time, drain);
        try
        {
            while (true)
            {
                using var run = new FailoverRun<RelayPlan>(
                    route.Targets, planForTarget, cooldowns, exchange.PinnedKeyName ?? route.PinnedKeyName, exchange.Key!.Policy.Visitor, session, mainPlanFor,
                    keyWait.Waiter);
                var end = await AttemptAllAsync(exchange, run, outcome);
                if (end == AttemptsEnd.Answered)
                {
                    return true;
                }
                var step = end == AttemptsEnd.CannotReplay ? KeyWaitStep.GiveUp : keyWait.Next(run);
                if (step == KeyWaitStep.GiveUp)
                {
                    return await AnswerAfterLastAttemptAsync(exchange, run, outcome);
                }
                if (step == KeyWaitStep.Sleep && !await WaitForKeyAsync(exchange, keyWait, run.EarliestRecovery))
                {
                    return true;
                }
            }
        }
        finally
        {
            keyWait.Leave();
        }
    }

    /// <summary>Tries the route's targets and keys in order until one answers or none is left.</summary>
    private async Task<AttemptsEnd> AttemptAllAsync(ProxyExchange exchange, FailoverRun<RelayPlan> run, AttemptOutcome outcome)
    {
        while (run.TryNext())
        {
            var target = run.Target!;
            var key = run.Key!;
            var plan = run.Plan!;
            if (exchange.Attempts > 0 && plan.Content is { CanReplay: false })
            {
                // The client's form was already streamed to an earlier attempt: what it answered is the answer.
                return AttemptsEnd.CannotReplay;
            }
            exchange.BeginAttempt(target, key, plan.Endpoint.Protocol);
            using var idle = AttemptCancellation(exchange, target.Provider.Timeout);
            // Only a streamed body waits on the client while it is sent; a JSON body was read whole before.
            var deadline = plan.Content is null ? null : new AttemptDeadline(idle, target.Provider.Timeout);
            using var request = UpstreamClient.CreateRequest(target.Provider, plan.Endpoint, key, plan.Method ?? HttpMethod.Post, plan.Path,
                plan.Content?.Create(exchange, deadline!) ?? plan.Body.CreateContent(exchange), exchange.Context.Request.Headers);
            plan.Decorate?.Invoke(request);
            HttpResponseMessage response;
            try
            {
                response = await upstream.SendAsync(request, idle.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
                deadline?.Stop();
                // The client's streamed form broke, or the client left, while it went out: the upstream's request was
                // aborted (no closing boundary, no last chunk), and no key is to blame.
                if (plan.Content?.ReadFailure is { } unreadable)
                {
                    await RefuseUnreadableFormAsync(exchange, unreadable);
                    return AttemptsEnd.Answered;
                }
                if (plan.Content is not null && exchange.Aborted.IsCancellationRequested && !exchange.LastBodySent)
                {
                    NoteClientLeftDuringBody(exchange);
                    return AttemptsEnd.Answered;
                }
                if (exchange.Aborted.IsCancellationRequested)
                {
                    Record(exchange, ForwardError.ClientCanceled, "client closed the request before the upstream answered");
                    UsageEstimate.CompleteLeft(exchange, plan);
                    return AttemptsEnd.Answered;
                }
                if (await EndedByDrainAsync(exchange))
                {
                    return AttemptsEnd.Answered;
                }
                outcome.NoAnswer = NoAnswerFrom(e, target.Provider);
                exchange.EndAttempt(outcome.NoAnswer.Error.StatusCode(0));
                var unanswered = UpstreamFailureClassifier.FromException(outcome.NoAnswer.Error.StatusCode(0), outcome.NoAnswer.Message);
                exchange.AttemptFailed(unanswered.Class);
                run.RecordFailure(unanswered);
                outcome.Held = null;
                continue;
            }
            deadline?.Stop();
            var status = (int)response.StatusCode;
            exchange.EndAttempt(status);
            var failure = response.IsSuccessStatusCode ? null : await ClassifyAsync(response, target, exchange.Secrets, idle.Token);
            if (failure is not null)
            {
                if (LeftWhileTheErrorWasRead(exchange, response))
                {
                    return AttemptsEnd.Answered;
                }
                exchange.AttemptFailed(failure.Class);
            }
            if (failure?.Class == FailureClass.CallerFault && await ToolFallbackPlanAsync(exchange, plan, response, idle.Token) is { } fallback)
            {
                response.Dispose();
                run.RepeatWith(fallback);
                continue;
            }
            if (failure?.Class == FailureClass.CallerFault && status is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed
                && plan.AnswerUnserved is { } answerUnserved)
            {
                response.Dispose();
                outcome.Held = null;
                await answerUnserved(exchange);
                return AttemptsEnd.Answered;
            }
            if (await TakeAnswerAsync(exchange, run, outcome, response, failure, idle))
            {
                return AttemptsEnd.Answered;
            }
        }
        return AttemptsEnd.Exhausted;
    }

    /// <summary>
    /// The key's answer with its failure classified: relayed when it is a success or a failure no other key would mend,
    /// else held while the next key is tried. True when the request is over.
    /// </summary>
    private async Task<bool> TakeAnswerAsync(
        ProxyExchange exchange, FailoverRun<RelayPlan> run, AttemptOutcome outcome, HttpResponseMessage response, UpstreamFailure? failure, CancellationTokenSource idle)
    {
        if (failure is not null && failure.Class.IsRetryable())
        {
            run.RecordFailure(failure);
            outcome.Held = new HeldAnswer(response, run.Plan!, run.Key!, run.Target!);
            outcome.NoAnswer = null;
            return false;
        }
        outcome.Held = null;
        NoAnswer? unusable;
        using (response)
        {
            unusable = await RelayAttemptAsync(exchange, run.Plan!, response, run.Key!, idle);
        }
        if (unusable is null)
        {
            RecordRelayOutcome(exchange, run);
            return true;
        }
        if (unusable.Refusal is not null)
        {
            return await TakeRefusalAsync(exchange, run, outcome, unusable, idle);
        }
        if (await EndedByDrainAsync(exchange))
        {
            return true;
        }
        // A 200 that was no answer (an empty stream, a page that is not JSON, an error object) fails the key like a 502.
        outcome.NoAnswer = unusable;
        var unanswered200 = unusable.Failure ?? UpstreamFailureClassifier.FromException(unusable.Error.StatusCode(0), unusable.Message);
        exchange.AttemptUnusable(unanswered200.Status);
        exchange.AttemptFailed(unanswered200.Class);
        run.RecordFailure(unanswered200);
        return false;
    }

    /// <summary>
    /// A later web-search round's error status (429, 5xx, a refused key, the caller's 400…) is the key's answer as that
    /// status on its first round would have been: classified alike and logged as the attempt's status, then failed over
    /// or relayed. Only the tool-schema fallback is not tried: the first round took the tools. A live stream's client
    /// has its answer begun, so no other key can take it: its stream ends with the error event, and the key's failure is
    /// recorded as a failover would have (the caller's own mistake leaves it healthy). A client that leaves while the
    /// refusal is read ends the request: the refused round costs nothing, as no refused attempt does, but the rounds
    /// answered before it were the upstream's real spend and stay in the row.
    /// </summary>
    private async Task<bool> TakeRefusalAsync(
        ProxyExchange exchange, FailoverRun<RelayPlan> run, AttemptOutcome outcome, NoAnswer refused, CancellationTokenSource idle)
    {
        var refusal = refused.Refusal!;
        exchange.AttemptUnusable((int)refusal.StatusCode);
        var failure = await ClassifyAsync(refusal, run.Target!, exchange.Secrets, idle.Token);
        if (LeftWhileTheErrorWasRead(exchange, refusal))
        {
            exchange.Usage = refused.Answered;
            return true;
        }
        exchange.AttemptFailed(failure.Class);
        if (!exchange.AnswerBegun)
        {
            return await TakeAnswerAsync(exchange, run, outcome, refusal, failure, idle);
        }
        using (refusal)
        {
            var relayed = await UpstreamErrorResponse.BuildAsync(refusal, exchange.Protocol, run.Target!.Provider, exchange.Secrets, idle.Token);
            exchange.StatusCode = relayed.Status;
            await FailAsync(exchange, ForwardError.UpstreamStatus, relayed.Message);
        }
        if (failure.Class.IsRetryable())
        {
            run.RecordFailure(failure);
        }
        else
        {
            run.RecordAnswered();
        }
        return true;
    }

    private async Task<NoAnswer?> RelayAttemptAsync(ProxyExchange exchange, RelayPlan plan, HttpResponseMessage response, UpstreamKey key, CancellationTokenSource idle)
    {
        try
        {
            return await RelayResponseAsync(exchange, plan, response, key, idle);
        }
        catch (OperationCanceledException) when (exchange.Aborted.IsCancellationRequested)
        {
            Record(exchange, ForwardError.ClientCanceled, "client closed the request");
            if (response.IsSuccessStatusCode)
            {
                UsageEstimate.CompleteLeft(exchange, plan);
            }
        }
        catch (OperationCanceledException) when (drain.HasEnded)
        {
            await FailForDrainAsync(exchange);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            var error = e is OperationCanceledException ? ForwardError.UpstreamTimeout : ForwardError.ResponseBodyUpstream;
            await FailAsync(exchange, error, GatewayMessages.StreamBroke(exchange.Target!.Provider.ProviderId));
        }
        return null;
    }

    /// <summary>A classified failure's status as the client's error would say it (UpstreamErrorResponse): a refused key is no fault of the client's.</summary>
    private static int AnswerStatusOf(UpstreamFailure failure) =>
        failure.Class == FailureClass.Credential ? StatusCodes.Status502BadGateway : failure.Status;

    /// <summary>
    /// The key answered: only a whole answer clears its failures. A stream that broke after its headers is not
    /// retried, but it counts against the key, so a key whose streams keep breaking cools down like any failing one,
    /// and its attempt is logged with the row's 502/504, not the 200 of its headers. A vendor's own failure status that
    /// broke it off is classed by its code, as at the stream's opening, and the row takes that failure's status (the
    /// client's error event, already written, stays the broken stream's).
    /// </summary>
    private static void RecordRelayOutcome(ProxyExchange exchange, FailoverRun<RelayPlan> run)
    {
        if (exchange.LastError is ForwardError.GatewayStopping)
        {
            // Neither the key's failure nor a whole answer: the gateway itself ended it.
            return;
        }
        if (exchange is { LastError: ForwardError.ResponseBodyUpstream, VendorFailure: { } vendorFailure })
        {
            var failed = UpstreamFailureClassifier.FromStatusInBody(vendorFailure, exchange.Error ?? vendorFailure.Text);
            exchange.StatusCode = AnswerStatusOf(failed);
            exchange.AttemptUnusable(failed.Status);
            exchange.AttemptFailed(failed.Class);
            run.RecordFailure(failed);
            return;
        }
        if (exchange.LastError is ForwardError.ResponseBodyUpstream or ForwardError.UpstreamTimeout)
        {
            exchange.AttemptUnusable(exchange.StatusCode);
            var broken = UpstreamFailureClassifier.FromException(exchange.StatusCode, exchange.Error ?? "");
            exchange.AttemptFailed(broken.Class);
            run.RecordFailure(broken);
            return;
        }
        run.RecordAnswered();
    }

    /// <summary>
    /// An attempt's cancellation: the client leaving, the provider's timeout (which the relays restart after each read),
    /// or the end of a graceful stop's drain window.
    /// </summary>
    private CancellationTokenSource AttemptCancellation(ProxyExchange exchange, TimeSpan timeout)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(exchange.Aborted, drain.Ended);
        cancellation.CancelAfter(timeout);
        return cancellation;
    }

    /// <summary>Reads the error body (masking any echo of a key: the message reaches key health and the log) and classifies it.</summary>
    private async Task<UpstreamFailure> ClassifyAsync(HttpResponseMessage response, RouteTarget target, Security.SecretScrubber secrets, CancellationToken cancellationToken)
    {
        var body = secrets.Scrub((await UpstreamErrorBody.ReadAsync(response, cancellationToken)).Body);
        var status = (int)response.StatusCode;
        var message = GatewayMessages.UpstreamFailed(target.Provider.ProviderId, status, Protocols.UpstreamErrorMessage.Extract(body, 300));
        return UpstreamFailureClassifier.FromResponse(status, response.Headers, body, target.UpstreamModel, message, time.GetUtcNow());
    }

    /// <summary>
    /// The client left while an error status's body was read (<see cref="UpstreamErrorBody"/> keeps what arrived): the
    /// request is over, logged as the client's leaving, and no other key is tried for it.
    /// </summary>
    private bool LeftWhileTheErrorWasRead(ProxyExchange exchange, HttpResponseMessage response)
    {
        if (!exchange.Aborted.IsCancellationRequested)
        {
            return false;
        }
        response.Dispose();
        Record(exchange, ForwardError.ClientCanceled, "client closed the request while the upstream's error was read");
        return true;
    }

    private static NoAnswer NoAnswerFrom(Exception e, UpstreamProvider provider) => e is OperationCanceledException
        ? new NoAnswer(ForwardError.UpstreamTimeout, GatewayMessages.Timeout(provider.ProviderId, provider.Timeout))
        : new NoAnswer(ForwardError.UpstreamConnect, GatewayMessages.Unreachable(provider.ProviderId, e.Message));
}
