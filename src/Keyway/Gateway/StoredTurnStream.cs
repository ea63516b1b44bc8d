using System.Buffers;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Translation;

namespace Keyway.Gateway;

/// <summary>
/// A translated Responses stream whose turn is stored: every event passes through except <c>response.completed</c>,
/// held (<see cref="Held"/>) until the gateway has stored the turn, so a client that continues from the response as
/// soon as it has it always finds it. Only the gateway's own translators write here: an event starts a line, and a
/// raw newline never occurs inside a <c>data:</c> line's JSON, so the event's first line cannot be mistaken.
/// </summary>
internal sealed class StoredTurnStream(IStreamTranslator translator, ResponsesTurn turn, string responseId) : IStreamTranslator
{
    private readonly ArrayBufferWriter<byte> _written = new();

    public ResponsesTurn Turn { get; } = turn;

    public string ResponseId { get; } = responseId;

    /// <summary>The <c>response.completed</c> event, once the translator wrote it and until <see cref="Release"/>.</summary>
    public byte[]? Held { get; private set; }

    /// <summary>Whole once the translator wrote its last event, held or not: the caller stores the turn and releases it.</summary>
    public bool Finished => translator.Finished;

    public void OnEvent(in SseEvent upstreamEvent, IBufferWriter<byte> output)
    {
        translator.OnEvent(upstreamEvent, _written);
        Pass(output);
    }

    public void Complete(IBufferWriter<byte> output)
    {
        translator.Complete(_written);
        Pass(output);
    }

    /// <summary>A failure after the answer was complete still lets the client have it (unstored).</summary>
    public void Fail(int status, string message, IBufferWriter<byte> output)
    {
        Release(output);
        translator.Fail(status, message, output);
    }

    /// <summary>Writes the held event, if any.</summary>
    public void Release(IBufferWriter<byte> output)
    {
        if (Held is { } held)
        {
            output.Write(held);
            Held = null;
        }
    }

    private void Pass(IBufferWriter<byte> output)
    {
        var written = _written.WrittenSpan;
        var completed = written.IndexOf("event: response.completed\n"u8);
        if (completed >= 0)
        {
            Held = written[completed..].ToArray();
            written = written[..completed];
        }
        output.Write(written);
        _written.ResetWrittenCount();
    }
}
