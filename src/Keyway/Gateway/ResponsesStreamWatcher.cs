using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>Watches an OpenAI Responses stream: usage from response.completed, complete once a terminal event arrived.</summary>
internal sealed class ResponsesStreamWatcher : IStreamWatcher
{
    private readonly ResponsesStreamObserver _observer = new();

    public bool Observe(in SseEvent sseEvent)
    {
        _observer.Observe(sseEvent);
        return true;
    }

    public TokenUsage Usage => _observer.Usage;

    public bool Completed => _observer.SawTerminalEvent;

    public string? ErrorMessage => _observer.ErrorMessage;
}
