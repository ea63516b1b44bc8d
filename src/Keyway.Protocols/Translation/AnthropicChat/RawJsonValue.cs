using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A JSON value only ever passed on (a tool's schema, a Chat message's content), kept as the client wrote it and written
/// back the same: the slice of the body it was read from (<see cref="TranslationJson.Parse"/>). Read into a
/// <c>JsonNode</c>, each of Claude Code's sixteen-odd schemas was a <c>JsonDocument</c> of its own (a copy of its bytes
/// and a token table), 14% of a claude-code scenario's samples with the collections it caused.
/// </summary>
[JsonConverter(typeof(RawJsonValueConverter))]
internal sealed class RawJsonValue(ReadOnlyMemory<byte> utf8)
{
    /// <summary>The schema of a tool that takes no input, for a tool that gave none.</summary>
    public static RawJsonValue EmptyObjectSchema { get; } = new("""{"type":"object","properties":{}}"""u8.ToArray());

    public ReadOnlySpan<byte> Utf8 => utf8.Span;

    /// <summary>The value as a string, or null when it is not one.</summary>
    public RawJsonString? AsString() => utf8.Span[0] == (byte)'"' ? new RawJsonString(utf8) : null;
}

internal sealed class RawJsonValueConverter : JsonConverter<RawJsonValue>
{
    public override RawJsonValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return RawJsonString.Read(ref reader).AsValue();
        }
        return TranslationJson.TrySliceValue(ref reader, out var value)
            ? new RawJsonValue(value)
            : throw new InvalidOperationException("A raw JSON value is read only from a body read by TranslationJson.Parse.");
    }

    public override void Write(Utf8JsonWriter writer, RawJsonValue value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
}
