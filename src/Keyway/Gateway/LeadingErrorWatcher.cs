using Keyway.Protocols;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>
/// Judges a stream's opening. Events that only open an answer (comments, Anthropic's <c>message_start</c> and
/// <c>ping</c>, the Responses API's lifecycle events, a Chat chunk with only the role: <see cref="AnswerBody.StreamEventLead"/>) are held back with
/// <see cref="HoldsBack"/> until the first event of the answer itself passes, so an error that follows them still
/// finds the client untouched. A stream whose opening holds an error event (OpenAI-compatible vendors'
/// <c>data: {"error":…}</c>, Anthropic's <c>event: error</c>, often an <c>overloaded_error</c> right after
/// <c>message_start</c>; a Responses <c>response.failed</c> that is not the request's) is then no answer: the error and
/// whatever follows it are dropped, <paramref name="upstreamReads"/>, the attempt's read token, is canceled so the relay
/// stops reading at once (an upstream that keeps such a stream open would otherwise hold the failover until the
/// provider's timeout), and the relay fails over with <see cref="LeadingError"/>. An opening longer than
/// <see cref="OpeningHoldLimit"/> is let through (<see cref="ReleasesOpeningBefore"/>), so a slow first token does not
/// keep the client (and any proxy in front of Keyway) without a byte. After the opening every event goes straight to the
/// inner watcher.
/// </summary>
internal sealed class LeadingErrorWatcher(IStreamWatcher inner, CancellationTokenSource upstreamReads, TimeProvider time) : IStreamWatcher
{
    /// <summary>How long opening events may be held back waiting for the answer's first event.</summary>
    public static readonly TimeSpan OpeningHoldLimit = TimeSpan.FromSeconds(10);

    private const int MaxMessageChars = 500;

    private readonly long _openedAt = time.GetTimestamp();

    /// <summary>The message of the error the stream opened with, once one was held back.</summary>
    public string? LeadingError { get; private set; }

    /// <summary>
    /// The vendor's own failure status the stream opened with (MiniMax's <c>base_resp</c> in a chunk without a choice,
    /// <see cref="VendorStatusInBody"/>), which fails the key as the same status in a whole 200 does.
    /// </summary>
    public VendorStatusInBody.Failure? LeadingStatus { get; private set; }

    public bool HoldsBack { get; private set; } = true;

    public bool Observe(in SseEvent sseEvent)
    {
        if (LeadingError is not null)
        {
            return false;
        }
        if (!HoldsBack)
        {
            return Relayed(inner.Observe(sseEvent), sseEvent);
        }
        var lead = sseEvent.HasData ? AnswerBody.StreamEventLead(sseEvent.Data.Span) : BodyLead.Opening;
        // Only an opening event that reads as an answer is searched (vectorized) for a vendor's status: the opening's few events.
        var status = lead == BodyLead.Answer && sseEvent.HasData ? VendorStatusInBody.FailureIn(sseEvent.Data.Span) : null;
        if ((status?.Text ?? ErrorOf(lead, sseEvent.Data.Span)) is { } error)
        {
            LeadingError = error;
            LeadingStatus = status;
            upstreamReads.Cancel();
            return false;
        }
        var passed = Relayed(inner.Observe(sseEvent), sseEvent);
        HoldsBack = !passed || (lead == BodyLead.Opening && time.GetElapsedTime(_openedAt) < OpeningHoldLimit);
        return passed;
    }

    /// <summary>
    /// Events with data let through to the client: the output measure of <see cref="UsageEstimate"/> when the upstream's
    /// usage never comes (one add per event, no parsing).
    /// </summary>
    public int RelayedEvents { get; private set; }

    private bool Relayed(bool passed, in SseEvent sseEvent)
    {
        if (passed && sseEvent.HasData)
        {
            RelayedEvents++;
        }
        return passed;
    }

    /// <summary>
    /// Waits for the upstream's read in flight while the opening is held, but no longer than the hold limit allows: true
    /// when the limit came first, and what was held is to be let through now rather than at the upstream's next event.
    /// </summary>
    public async Task<bool> ReleasesOpeningBefore(Task read)
    {
        var left = OpeningHoldLimit - time.GetElapsedTime(_openedAt);
        try
        {
            if (left > TimeSpan.Zero)
            {
                await read.WaitAsync(left, time);
                return false;
            }
        }
        catch (TimeoutException)
        {
        }
        HoldsBack = false;
        return true;
    }

    /// <summary>The message of an event that makes the stream no answer: an error, or a Responses failure another attempt may answer.</summary>
    private static string? ErrorOf(BodyLead lead, ReadOnlySpan<byte> data) => lead switch
    {
        BodyLead.Error => UpstreamErrorMessage.ErrorObjectMessage(data, MaxMessageChars) ?? UpstreamErrorMessage.Extract(data, MaxMessageChars),
        BodyLead.Failed => ResponsesFailure.RetryableMessage(data, MaxMessageChars),
        _ => null,
    };

    public TokenUsage Usage => inner.Usage;

    public bool Completed => inner.Completed;

    public bool EndsAtClose => inner.EndsAtClose;

    public string? ErrorMessage => LeadingError ?? inner.ErrorMessage;

    public bool ErrorWithheld => inner.ErrorWithheld;

    public VendorStatusInBody.Failure? VendorFailure => inner.VendorFailure;
}
