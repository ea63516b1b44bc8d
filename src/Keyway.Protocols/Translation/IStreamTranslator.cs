using System.Buffers;
using Keyway.Protocols.Sse;

namespace Keyway.Protocols.Translation;

/// <summary>
/// Turns an upstream SSE stream into the client's SSE stream, event by event. Each call writes zero
/// or more complete SSE events (terminated by a blank line) of the client's protocol to
/// <c>output</c>. Implementations are sealed state machines; they never throw on malformed upstream
/// events (they skip them) and never do I/O.
/// </summary>
public interface IStreamTranslator
{
    /// <summary>One upstream event (the SseEvent is only valid during the call).</summary>
    void OnEvent(in SseEvent upstreamEvent, IBufferWriter<byte> output);

    /// <summary>
    /// The upstream stream ended normally. Writes whatever closes the client's stream (open blocks
    /// stopped, final usage, the protocol's terminal event). If the upstream ended without its own
    /// end-of-stream marker, the translator still closes cleanly or reports an error event — a
    /// client stream never just stops.
    /// </summary>
    void Complete(IBufferWriter<byte> output);

    /// <summary>The upstream failed mid-stream: writes the client protocol's error event (and terminal event where the protocol has one).</summary>
    void Fail(string message, IBufferWriter<byte> output);
}
