using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>
/// What an answer cost when the upstream's usage report never came: the client hung up before it, the upstream cut the
/// stream, or it never reports usage. Such a request would otherwise be logged with no tokens and cost nothing against
/// the key's budgets and tpm. The prompt is counted by <see cref="TokenEstimator"/> over the body sent upstream
/// (o200k_base, bounded for huge bodies); a stream's answer is one output token per event with data relayed, a lower
/// bound, as upstreams stream one token or a few per content event. It runs only when the report is missing: an answer
/// that reported its usage (and, streamed, ended properly) costs exactly what the upstream said.
/// </summary>
internal static class UsageEstimate
{
    /// <summary>
    /// Fills what <paramref name="watcher"/> did not report: the prompt when no input count came, the answer when no
    /// output count came or the stream did not reach its end (then the larger of the partial count, e.g. Anthropic's
    /// <c>message_start</c> output of 1, and the relayed events). A stream the client left before any event still costs
    /// its prompt: the upstream's 200 came, so the provider took the request and bills its input.
    /// </summary>
    public static void Complete(ProxyExchange exchange, LeadingErrorWatcher watcher, UpstreamBody request)
    {
        var reported = watcher.Usage;
        if ((watcher.RelayedEvents == 0 && !exchange.Aborted.IsCancellationRequested)
            || (reported.InputTokens is not null && reported.OutputTokens is not null && watcher.Completed))
        {
            return;
        }
        var output = watcher.Completed && reported.OutputTokens is { } whole ? whole : Math.Max(reported.OutputTokens ?? 0, watcher.RelayedEvents);
        var input = reported.InputTokens ?? InputOf(request);
        exchange.Usage = reported with { InputTokens = input, OutputTokens = output };
        exchange.UsageEstimated = input != reported.InputTokens || output != reported.OutputTokens;
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

    // Not bound to the client's abort: the client leaving is the usual reason for the estimate.
    private static long InputOf(UpstreamBody request) => TokenEstimator.CountInputTokens(request.ToArray());
}
