using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Gateway;

/// <summary>For streams Keyway relays without reading them (generation endpoints): every event passes, nothing is learned.</summary>
internal sealed class PassThroughWatcher : IStreamWatcher
{
    public bool Observe(in SseEvent sseEvent) => true;

    public TokenUsage Usage => TokenUsage.Unknown;

    public bool Completed => false;

    public bool EndsAtClose => true;

    public string? ErrorMessage => null;
}
