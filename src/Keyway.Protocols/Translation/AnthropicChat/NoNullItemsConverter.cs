using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A list whose items are objects or strings, refusing a JSON null among them (<c>"messages":[null]</c>): the
/// translators would meet it as a null element far from the parse. Duplicate members are the serializer's own check
/// (<c>AllowDuplicateProperties = false</c> on <see cref="AnthropicChatJsonContext"/>), so nothing reads a body twice.
/// </summary>
internal sealed class NoNullItemsConverter<T> : JsonConverter<List<T>>
    where T : class
{
    public const string NullItem = "a null where an array item belongs.";

    public override List<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("expected an array.");
        }

        var item = ItemConverter(options);
        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(reader.TokenType == JsonTokenType.Null ? throw new JsonException(NullItem) : item.Read(ref reader, typeof(T), options)!);
        }

        return items;
    }

    /// <summary>
    /// The item type's own converter, called directly: <c>JsonSerializer.Deserialize(ref reader, …)</c> per item first
    /// skipped over the item to find its end, then read it, so every list was read twice (bench/micro).
    /// </summary>
    private static JsonConverter<T> ItemConverter(JsonSerializerOptions options) => (JsonConverter<T>)options.GetTypeInfo(typeof(T)).Converter;

    public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options)
    {
        var itemConverter = ItemConverter(options);
        writer.WriteStartArray();
        foreach (var item in value)
        {
            itemConverter.Write(writer, item, options);
        }

        writer.WriteEndArray();
    }
}
