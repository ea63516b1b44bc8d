using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>
/// What a streamed answer cost when the upstream's usage report never came: the client hung up before it, the upstream
/// cut the stream, or it never reports usage. Such a request would otherwise be logged with no tokens and cost nothing
/// against the key's budgets and tpm. The prompt is counted by <see cref="TokenEstimator"/> over the body sent upstream
/// (o200k_base, bounded for huge bodies); the answer is one output token per event with data relayed, a lower bound, as
/// upstreams stream one token or a few per content event. It runs only when the report is missing: a stream that
/// reported its usage and ended properly costs exactly what the upstream said.
/// </summary>
internal static class UsageEstimate
{
    /// <summary>
    /// Fills what <paramref name="watcher"/> did not report: the prompt when no input count came, the answer when no
    /// output count came or the stream did not reach its end (then the larger of the partial count, e.g. Anthropic's
    /// <c>message_start</c> output of 1, and the relayed events).
    /// </summary>
    public static void Complete(ProxyExchange exchange, LeadingErrorWatcher watcher, UpstreamBody request)
    {
        var reported = watcher.Usage;
        if (watcher.RelayedEvents == 0 || (reported.InputTokens is not null && reported.OutputTokens is not null && watcher.Completed))
        {
            return;
        }
        var output = watcher.Completed && reported.OutputTokens is { } whole ? whole : Math.Max(reported.OutputTokens ?? 0, watcher.RelayedEvents);
        // Not bound to the client's abort: the client leaving is the usual reason for the estimate.
        var input = reported.InputTokens ?? TokenEstimator.CountInputTokens(request.ToArray());
        exchange.Usage = reported with { InputTokens = input, OutputTokens = output };
        exchange.UsageEstimated = input != reported.InputTokens || output != reported.OutputTokens;
    }
}
