using Keyway.Protocols;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>
/// Holds back a stream that opens with an error event (OpenAI-compatible vendors' <c>data: {"error":…}</c>, Anthropic's
/// <c>event: error</c>) and whatever follows it: nothing has reached the client then, so the 200 is no answer and the
/// relay fails over with <see cref="LeadingError"/>. Holding one cancels <paramref name="upstreamReads"/>, the
/// attempt's read token, so the relay stops reading at once: an upstream that keeps such a stream open would otherwise
/// hold the failover until the provider's timeout. Each event before the first passed one is judged by its first
/// property; after that every event goes straight to the inner watcher.
/// </summary>
internal sealed class LeadingErrorWatcher(IStreamWatcher inner, CancellationTokenSource upstreamReads) : IStreamWatcher
{
    private bool _passedAny;

    /// <summary>The message of the error the stream opened with, once one was held back.</summary>
    public string? LeadingError { get; private set; }

    public bool Observe(in SseEvent sseEvent)
    {
        if (LeadingError is not null)
        {
            return false;
        }
        if (!_passedAny && sseEvent.HasData && AnswerBody.LeadsWithError(sseEvent.Data.Span))
        {
            LeadingError = UpstreamErrorMessage.ErrorObjectMessage(sseEvent.Data.Span, 500) ?? UpstreamErrorMessage.Extract(sseEvent.Data.Span, 500);
            upstreamReads.Cancel();
            return false;
        }
        var passed = inner.Observe(sseEvent);
        _passedAny |= passed;
        return passed;
    }

    public TokenUsage Usage => inner.Usage;

    public bool Completed => inner.Completed;

    public bool EndsAtClose => inner.EndsAtClose;

    public string? ErrorMessage => LeadingError ?? inner.ErrorMessage;
}
