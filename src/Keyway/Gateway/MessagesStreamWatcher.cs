using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>Watches an Anthropic Messages stream: usage from message_start and message_delta, end at message_stop.</summary>
internal sealed class MessagesStreamWatcher : IStreamWatcher
{
    private readonly MessagesStreamObserver _observer = new();

    public bool Observe(in SseEvent sseEvent)
    {
        _observer.Observe(sseEvent);
        return true;
    }

    public TokenUsage Usage => _observer.Usage;

    public bool Completed => _observer.SawMessageStop;

    public string? ErrorMessage => _observer.ErrorMessage;
}
