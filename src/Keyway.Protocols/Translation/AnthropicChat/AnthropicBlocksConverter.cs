using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Anthropic lets <c>system</c>, a message's <c>content</c> and a tool_result's <c>content</c> be either a string or
/// an array of blocks (https://docs.anthropic.com/en/api/messages#body-messages-content). A string reads as one text
/// block, so the translators see only blocks. Written back, it is always the array.
/// </summary>
internal sealed class AnthropicBlocksConverter : JsonConverter<List<AnthropicBlock>>
{
    private static readonly NoNullItemsConverter<AnthropicBlock> Blocks = new();

    public override List<AnthropicBlock>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return [new AnthropicBlock { Type = "text", Text = RawJsonString.Read(ref reader) }];
        }

        return reader.TokenType == JsonTokenType.StartArray
            ? Blocks.Read(ref reader, typeToConvert, options)
            : throw new JsonException("expected a string or an array of content blocks.");
    }

    public override void Write(Utf8JsonWriter writer, List<AnthropicBlock> value, JsonSerializerOptions options) =>
        Blocks.Write(writer, value, options);
}
