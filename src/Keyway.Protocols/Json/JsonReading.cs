using System.Text.Json;

namespace Keyway.Protocols.Json;

/// <summary>Small helpers over <see cref="Utf8JsonReader"/> that never throw on a value of an unexpected type.</summary>
internal static class JsonReading
{
    /// <summary>Reads the value after a property name; an integer gives its value, anything else null (and is skipped).</summary>
    public static long? ReadInt64OrNull(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        reader.Skip();
        return null;
    }

    /// <summary>Reads the value after a property name; a string gives its text, anything else null (and is skipped).</summary>
    public static string? ReadStringOrNull(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    /// <summary>Moves onto the value after a property name and tells whether it opens an object.</summary>
    public static bool ReadStartObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }

        reader.Skip();
        return false;
    }

    /// <summary>Advances to the next property name of the object being read; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;
}
