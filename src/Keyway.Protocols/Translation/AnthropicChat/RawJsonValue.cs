using System.Text.Json;
using System.Text.Json.Serialization;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A JSON value only ever passed on (a tool's schema, a Chat message's content), kept as compact UTF-8 and written back
/// as it is. Read into a <c>JsonNode</c>, each of Claude Code's sixteen-odd schemas was a <c>JsonDocument</c> of its own
/// (a copy of its bytes and a token table), 14% of a claude-code scenario's samples with the collections it caused;
/// copied token by token it is one array of its size. A string is copied as it was written (<see cref="RawJsonString"/>).
/// </summary>
[JsonConverter(typeof(RawJsonValueConverter))]
internal sealed class RawJsonValue(byte[] utf8)
{
    /// <summary>The schema of a tool that takes no input, for a tool that gave none.</summary>
    public static RawJsonValue EmptyObjectSchema { get; } = new("""{"type":"object","properties":{}}"""u8.ToArray());

    public ReadOnlySpan<byte> Utf8 => utf8;

    /// <summary>The value as a string, or null when it is not one.</summary>
    public RawJsonString? AsString() => utf8[0] == (byte)'"' ? new RawJsonString(utf8) : null;
}

internal sealed class RawJsonValueConverter : JsonConverter<RawJsonValue>
{
    public override RawJsonValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return RawJsonString.Read(ref reader).AsValue();
        }

        using var buffer = new PooledBufferWriter(1024);
        using (var writer = new Utf8JsonWriter(buffer, TranslationJson.WriterOptions))
        {
            var depth = reader.CurrentDepth;
            WriteToken(ref reader, writer);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.CurrentDepth > depth)
                {
                    WriteToken(ref reader, writer);
                }
                WriteToken(ref reader, writer);
            }
        }
        return new RawJsonValue(buffer.ToArray());
    }

    public override void Write(Utf8JsonWriter writer, RawJsonValue value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);

    /// <summary>The current token, its text as read (an escaped name or string is unescaped, then escaped as the writer does).</summary>
    private static void WriteToken(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                writer.WriteStartObject();
                break;
            case JsonTokenType.EndObject:
                writer.WriteEndObject();
                break;
            case JsonTokenType.StartArray:
                writer.WriteStartArray();
                break;
            case JsonTokenType.EndArray:
                writer.WriteEndArray();
                break;
            case JsonTokenType.PropertyName when reader.ValueIsEscaped:
                writer.WritePropertyName(reader.GetString()!);
                break;
            case JsonTokenType.PropertyName:
                writer.WritePropertyName(reader.ValueSpan);
                break;
            case JsonTokenType.String when reader.ValueIsEscaped:
                writer.WriteStringValue(reader.GetString());
                break;
            case JsonTokenType.String:
                writer.WriteStringValue(reader.ValueSpan);
                break;
            case JsonTokenType.Number:
                writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                break;
            case JsonTokenType.True or JsonTokenType.False:
                writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
