using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A JSON value the translators look into (a tool call's input, <c>stop</c>, <c>tool_choice</c>) as a node that refuses
/// a member named twice while the body is parsed, like the rest of the DTO (<c>AllowDuplicateProperties = false</c> on
/// <see cref="AnthropicChatJsonContext"/>, which a node does not follow: its objects are built on first use, and one
/// naming a member twice threw there, as a 500). Read outside <see cref="TranslationJson.Parse"/> (an upstream's stream
/// events), it is read as the serializer reads a node.
/// </summary>
internal sealed class StrictJsonNodeConverter : JsonConverter<JsonNode>
{
    private static readonly JsonDocumentOptions NoDuplicates = new() { AllowDuplicateProperties = false };

    public override JsonNode? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType != JsonTokenType.String && TranslationJson.TrySliceValue(ref reader, out var value)
            ? JsonNode.Parse(value.Span, documentOptions: NoDuplicates)
            : JsonNode.Parse(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonNode value, JsonSerializerOptions options) => value.WriteTo(writer, options);
}
