using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>The reader's building blocks: typed values that refuse the wrong type, arrays of objects, member sets.</summary>
internal static partial class ChatReader
{
    private delegate T ItemReader<out T>(ref Utf8JsonReader reader);

    /// <summary>Reads an array of objects into <paramref name="items"/>; false for a JSON null.</summary>
    private static bool ReadObjects<T>(ref Utf8JsonReader reader, List<T> items, ItemReader<T> readItem)
    {
        reader.Read();
        if (!IsStart(ref reader, JsonTokenType.StartArray))
        {
            return false;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(reader.TokenType == JsonTokenType.StartObject ? readItem(ref reader) : throw Unreadable(ref reader));
        }
        return true;
    }

    /// <summary>
    /// vLLM's <c>stop_reason</c> or SGLang's <c>matched_stop</c>: the stop string that ended the answer. A number there
    /// is a stop token id and is ignored, as is anything but a string.
    /// </summary>
    private static JsonNode? ReadStopName(ref Utf8JsonReader reader) =>
        ReadStringOrSkip(ref reader) is { } name ? JsonValue.Create(name) : null;

    /// <summary>A string, or null for anything else (skipped).</summary>
    private static string? ReadStringOrSkip(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }
        reader.Skip();
        return null;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return ReadCurrentString(ref reader);
    }

    private static string? ReadCurrentString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw Unreadable(ref reader),
    };

    private static long? ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var value) => value,
            JsonTokenType.Null => null,
            _ => throw Unreadable(ref reader),
        };
    }

    private static int? ReadInt32(ref Utf8JsonReader reader) => ReadInt64(ref reader) switch
    {
        null => null,
        >= int.MinValue and <= int.MaxValue and var value => (int)value,
        _ => throw Unreadable(ref reader),
    };

    /// <summary>Moves onto the value after a property name: true when it opens an object, false for a JSON null.</summary>
    private static bool StartObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        return IsStart(ref reader, JsonTokenType.StartObject);
    }

    /// <summary>True on <paramref name="start"/>, false on a JSON null; any other token makes the chunk unreadable.</summary>
    private static bool IsStart(ref Utf8JsonReader reader, JsonTokenType start)
    {
        if (reader.TokenType == start)
        {
            return true;
        }
        return reader.TokenType == JsonTokenType.Null ? false : throw Unreadable(ref reader);
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static JsonException Unreadable(ref Utf8JsonReader reader) =>
        new($"A {reader.TokenType} at byte {reader.TokenStartIndex} is not what a Chat answer holds there.");

    /// <summary>The members read in a document of one kind, and how each of its choices is read.</summary>
    private sealed record DocumentShape(MemberSet Members, ItemReader<ChatChunkChoice> ReadChoice);

    /// <summary>The members of one kind of object that the reader reads; the others are skipped.</summary>
    private sealed class MemberSet
    {
        private readonly string[] _names;
        private readonly byte[][] _utf8Names;

        public MemberSet(params string[] names)
        {
            _names = names;
            _utf8Names = Array.ConvertAll(names, System.Text.Encoding.UTF8.GetBytes);
        }

        /// <summary>
        /// Moves to the next member of the object being read that is in this set (skipping the others) and returns its
        /// name, positioned on the name; null at the end of the object. <paramref name="seen"/> holds one bit per
        /// member already met in this object: a member met twice makes the chunk unreadable.
        /// </summary>
        public string? Next(ref Utf8JsonReader reader, ref int seen)
        {
            while (JsonReading.NextProperty(ref reader))
            {
                for (var i = 0; i < _utf8Names.Length; i++)
                {
                    if (reader.ValueTextEquals(_utf8Names[i]))
                    {
                        var bit = 1 << i;
                        seen = (seen & bit) == 0 ? seen | bit : throw new JsonException($"An object names the member \"{_names[i]}\" twice.");
                        return _names[i];
                    }
                }
                SkipValue(ref reader);
            }
            return null;
        }
    }
}
