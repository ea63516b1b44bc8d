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

    /// <summary>
    /// The gateway ends the stream itself (the upstream broke off, went silent past its timeout): writes the client
    /// protocol's error event (and terminal event where the protocol has one). <paramref name="status"/> is the HTTP
    /// status the gateway gives the failure (502, 504); the error's type follows from it through
    /// <see cref="ProtocolErrors"/>, as the error event of a pass-through stream does, so a client reads the same
    /// failure alike on every route.
    /// </summary>
    void Fail(int status, string message, IBufferWriter<byte> output);

    /// <summary>
    /// The client's stream is whole: its terminal event (or its error) is written, and nothing the upstream still sends
    /// would reach the client. The relay ends the copy here rather than waiting for an upstream that keeps its
    /// connection open after its last event.
    /// </summary>
    bool Finished { get; }
}
