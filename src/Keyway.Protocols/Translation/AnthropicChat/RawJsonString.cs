using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A JSON string kept as the client wrote it (UTF-8, its escapes as they were) and written back the same. A tool's
/// description is only ever passed on, and Claude Code sends sixteen-odd of them, kilobytes each, every turn: decoding
/// each into a UTF-16 string to encode it again was twice its size in garbage and two passes for nothing. The bytes are
/// valid JSON string content: the reader checked them, and the body was checked as UTF-8 before it was read.
/// </summary>
[JsonConverter(typeof(RawJsonStringConverter))]
internal sealed class RawJsonString(byte[] quoted)
{
    /// <summary>The string token, quotes included.</summary>
    public ReadOnlySpan<byte> Quoted => quoted;
}

internal sealed class RawJsonStringConverter : JsonConverter<RawJsonString>
{
    public override RawJsonString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, not {reader.TokenType}.");
        }
        var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        var quoted = new byte[length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        if (reader.HasValueSequence)
        {
            reader.ValueSequence.CopyTo(quoted.AsSpan(1));
        }
        else
        {
            reader.ValueSpan.CopyTo(quoted.AsSpan(1));
        }
        return new RawJsonString(quoted);
    }

    public override void Write(Utf8JsonWriter writer, RawJsonString value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Quoted, skipInputValidation: true);
}
