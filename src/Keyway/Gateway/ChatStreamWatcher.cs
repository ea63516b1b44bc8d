using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>
/// Watches an OpenAI chat stream. When Keyway itself asked for stream_options.include_usage (so a
/// streamed call is never billed as free), the usage-only chunk the client did not ask for is hidden.
/// </summary>
internal sealed class ChatStreamWatcher(bool hideUsageOnlyChunk) : IStreamWatcher
{
    private readonly ChatStreamObserver _observer = new();

    public bool Observe(in SseEvent sseEvent) => !(_observer.Observe(sseEvent) == ObservedEvent.UsageOnly && hideUsageOnlyChunk);

    public TokenUsage Usage => _observer.Usage;

    public bool Completed => _observer.SawDone || _observer.FinishReason is not null;

    public string? ErrorMessage => _observer.ErrorMessage;
}
