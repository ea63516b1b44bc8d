using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A string member the translators write but never read back (a chunk's id, object and model: the client sees the
/// gateway's own): reading skips the value instead of allocating a string for every chunk of every translated stream.
/// </summary>
internal sealed class WriteOnlyStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
