using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>
/// What an answer cost when the upstream's usage report never came: the client hung up before it (even before the
/// upstream's status, once the request's body was sent in full), the upstream cut the stream, or it never reports usage.
/// Such a request would otherwise be logged with no tokens and cost nothing against the key's budgets and tpm. The
/// prompt is counted by <see cref="TokenEstimator"/> over the body sent upstream (o200k_base, bounded for huge bodies);
/// a stream's answer is one output token per event with data relayed, a lower bound, as upstreams stream one token or a
/// few per content event. It runs only when the report is missing: an answer that reported its usage (and, streamed,
/// ended properly) costs exactly what the upstream said.
/// </summary>
internal static class UsageEstimate
{
    /// <summary>
    /// Fills what <paramref name="watcher"/> did not report: the prompt when no input count came, the answer when no
    /// output count came or the stream did not reach its end (then the larger of the partial count, e.g. Anthropic's
    /// <c>message_start</c> output of 1, and the relayed events). A stream the client left before any event still costs
    /// its prompt, as <see cref="CompleteLeft"/> says.
    /// </summary>
    public static void Complete(ProxyExchange exchange, LeadingErrorWatcher watcher, UpstreamBody request)
    {
        if (OfStream(exchange, watcher.Usage, watcher.Completed, watcher.RelayedEvents, request) is { } estimated)
        {
            exchange.Usage = estimated;
            exchange.UsageEstimated = estimated != watcher.Usage;
        }
    }

    /// <summary>
    /// A stream's <paramref name="reported"/> usage filled in as <see cref="Complete"/> fills it, or null when nothing is to
    /// be filled: the stream reported both counts and ended, or it brought no event with data while the client is still
    /// there (no answer, which the caller fails over). The web-search loop fills so the streamed round its stream ends on
    /// (the final one, or the one the client left), its prompt counted over the body that round sent.
    /// </summary>
    /// <param name="dataEvents">The stream's events with data: the output's lower bound.</param>
    public static TokenUsage? OfStream(ProxyExchange exchange, TokenUsage reported, bool completed, int dataEvents, UpstreamBody request)
    {
        if ((dataEvents == 0 && !exchange.Aborted.IsCancellationRequested)
            || (reported.InputTokens is not null && reported.OutputTokens is not null && completed))
        {
            return null;
        }
        var output = completed && reported.OutputTokens is { } whole ? whole : Math.Max(reported.OutputTokens ?? 0, dataEvents);
        return reported with { InputTokens = reported.InputTokens ?? InputOf(request), OutputTokens = output };
    }

    /// <summary>
    /// A whole chat answer (<see cref="RelayPlan.ChatAnswer"/>) whose usage holds no prompt count (some OpenAI-compatible
    /// vendors leave <c>usage</c> out): the prompt is estimated, the answer's count stays as reported, none rather than a
    /// guess from the answer's JSON size, which counts its syntax and metadata too.
    /// </summary>
    public static void CompleteWhole(ProxyExchange exchange, RelayPlan plan)
    {
        if (!plan.ChatAnswer || exchange.Usage?.InputTokens is not null)
        {
            return;
        }
        exchange.Usage = (exchange.Usage ?? TokenUsage.Unknown) with { InputTokens = InputOf(plan.Body) };
        exchange.UsageEstimated = true;
    }

    /// <summary>
    /// The client left the attempt before any usage was read (waiting for the upstream's status, or for a whole answer):
    /// once its body went upstream in full, the provider has the prompt and bills it whether or not anyone waits for the
    /// answer, so the prompt counts, output none. A plan whose usage Keyway does not estimate stays uncounted, as does an
    /// attempt whose body was not sent in full; the caller does not call it for an attempt the upstream refused with an
    /// error status (nor for earlier attempts of a failover: only the current one's body is looked at).
    /// </summary>
    public static void CompleteLeft(ProxyExchange exchange, RelayPlan plan)
    {
        if (exchange.Usage is not null || !exchange.LastBodySent || !Estimates(plan, exchange.Stream))
        {
            return;
        }
        exchange.Usage = TokenUsage.Unknown with { InputTokens = InputOf(plan.Body), OutputTokens = 0 };
        exchange.UsageEstimated = true;
    }

    /// <summary>
    /// The client left during a web-search round before its answer came (<paramref name="round"/>: the body that round
    /// sent, a streamed loop's first round's before its events too, or null while the gateway searched between rounds):
    /// the rounds answered before cost what they reported (<paramref name="answered"/>), and the round left its prompt
    /// once its body went upstream in full, as a first round left does (<see cref="CompleteLeft"/>); its answer none.
    /// </summary>
    public static void CompleteLeftRound(ProxyExchange exchange, RelayPlan plan, TokenUsage? answered, UpstreamBody? round)
    {
        exchange.Usage = answered;
        if (round is null || !exchange.LastBodySent || !Estimates(plan, exchange.Stream))
        {
            return;
        }
        var prompt = InputOf(round);
        exchange.Usage = (answered ?? TokenUsage.Unknown) with { InputTokens = (answered?.InputTokens ?? 0) + prompt, OutputTokens = answered?.OutputTokens ?? 0 };
        exchange.UsageEstimated = true;
    }

    /// <summary>
    /// Whether Keyway estimates what <paramref name="plan"/>'s answer costs when its usage is missing: a chat surface's
    /// answer (<see cref="CompleteWhole"/>), or a stream it watches or translates (<see cref="Complete"/>).
    /// </summary>
    private static bool Estimates(RelayPlan plan, bool stream) =>
        plan.ChatAnswer || (stream && (plan.Watcher is not null || plan.Translation is not null));

    // Not bound to the client's abort: the client leaving is the usual reason for the estimate.
    private static long InputOf(UpstreamBody request) => TokenEstimator.CountInputTokens(request.ToArray());
}
