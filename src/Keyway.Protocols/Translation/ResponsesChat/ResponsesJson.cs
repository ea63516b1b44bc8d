using System.Text.Encodings.Web;
using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>Lenient reads over <see cref="JsonElement"/>: a value of an unexpected type reads as absent, never throws.</summary>
internal static class ResponsesJson
{
    /// <summary>
    /// Writes UTF-8 text as it is rather than as \uXXXX escapes: the bodies are JSON over HTTP, never embedded in
    /// HTML, and patches full of quotes and non-ASCII text stay readable and short.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses a whole document whose root must be an object; anything else is the caller's fault.</summary>
    public static JsonDocument ParseObject(ReadOnlyMemory<byte> utf8, string what)
    {
        // The reader checks UTF-8 only when a string is transcoded, and then throws InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            throw new TranslationException($"{what} is not valid UTF-8.");
        }
        JsonDocument document;
        try
        {
            // Over the body where it lies: ParseValue would copy Codex's tens of kilobytes first.
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new TranslationException($"{what} is not valid JSON: {ex.Message}", ex);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new TranslationException($"{what} must be a JSON object.");
        }

        return document;
    }

    public static string? String(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool TryGet(this JsonElement element, string name, JsonValueKind kind, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind == kind)
        {
            return true;
        }

        value = default;
        return false;
    }

    public static bool? Boolean(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;

    /// <summary>Copies a property as it is (numbers keep their exact text) when it exists and is not null.</summary>
    public static void CopyProperty(this JsonElement source, string name, Utf8JsonWriter writer, string? targetName = null)
    {
        if (source.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            writer.WritePropertyName(targetName ?? name);
            value.WriteTo(writer);
        }
    }
}
