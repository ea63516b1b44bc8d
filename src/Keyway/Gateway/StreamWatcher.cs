using Keyway.Protocols;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>
/// Watches an upstream stream through its protocol's observer. When Keyway itself asked a chat upstream for
/// stream_options.include_usage (so a streamed call is never logged as free), the usage-only chunk the client
/// did not ask for is hidden.
/// </summary>
internal sealed class StreamWatcher(IStreamObserver observer, bool hideUsageOnlyChunk = false) : IStreamWatcher
{
    public bool Observe(in SseEvent sseEvent)
    {
        if (ErrorWithheld)
        {
            return false;
        }
        switch (observer.Observe(sseEvent))
        {
            case ObservedEvent.UsageOnly:
                return !hideUsageOnlyChunk;
            case ObservedEvent.VendorFailure:
                return false;
            default:
                return true;
        }
    }

    /// <summary>The observer saw the vendor's failure in its own shape: it and what follows are kept from the client.</summary>
    public bool ErrorWithheld => observer.VendorFailure is not null;

    public VendorStatusInBody.Failure? VendorFailure => observer.VendorFailure;

    public TokenUsage Usage => observer.Usage;

    public bool Completed => observer.Completed;

    public bool EndsAtClose => false;

    public string? ErrorMessage => observer.ErrorMessage;
}
