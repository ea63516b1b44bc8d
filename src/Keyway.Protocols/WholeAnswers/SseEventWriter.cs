using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Keyway.Protocols.WholeAnswers;

/// <summary>Writes SSE events whose data is one JSON document: <c>event: name</c> (when named), <c>data: …</c>, a blank line.</summary>
internal sealed class SseEventWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public void Event<TState>(string? name, TState state, Action<Utf8JsonWriter, TState> writeData)
    {
        if (name is not null)
        {
            _buffer.Write("event: "u8);
            _buffer.Write(System.Text.Encoding.UTF8.GetBytes(name));
            _buffer.Write("\n"u8);
        }
        _buffer.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(_buffer, Options))
        {
            writeData(writer, state);
        }
        _buffer.Write("\n\n"u8);
    }

    /// <summary>A data line that is not JSON, such as Chat's <c>[DONE]</c>.</summary>
    public void Data(ReadOnlySpan<byte> data)
    {
        _buffer.Write("data: "u8);
        _buffer.Write(data);
        _buffer.Write("\n\n"u8);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
