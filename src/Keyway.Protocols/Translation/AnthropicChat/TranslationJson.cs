using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>Reading bodies (malformed → <see cref="TranslationException"/>) and writing JSON and SSE events.</summary>
internal static class TranslationJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static T Parse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, typeInfo)
                ?? throw new TranslationException($"The {what} must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new TranslationException($"The {what} is not valid: {ex.Message}");
        }
    }

    /// <summary>An upstream stream event's JSON, or null when it is unreadable (streams skip those).</summary>
    public static T? TryParse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The text of a JSON string node; null for anything else.</summary>
    public static string? StringOf(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The compact JSON text of a node (how Chat carries tool arguments).</summary>
    public static string ToText(System.Text.Json.Nodes.JsonNode? node)
    {
        if (node is null)
        {
            return "{}";
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes <c>event: name\ndata: json\n\n</c> (Anthropic) or, without a name, <c>data: json\n\n</c> (Chat).</summary>
    public static void WriteEvent<T>(IBufferWriter<byte> output, string? eventName, T value, JsonTypeInfo<T> typeInfo)
    {
        if (eventName is not null)
        {
            Write(output, "event: "u8);
            Write(output, System.Text.Encoding.UTF8.GetBytes(eventName));
            Write(output, "\n"u8);
        }

        Write(output, "data: "u8);
        Serialize(output, value, typeInfo);

        Write(output, "\n\n"u8);
    }

    /// <summary>Compact JSON with UTF-8 text left readable (only what JSON requires is escaped).</summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Serialize(buffer, value, typeInfo);
        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteDone(IBufferWriter<byte> output) => Write(output, "data: [DONE]\n\n"u8);

    private static void Serialize<T>(IBufferWriter<byte> output, T value, JsonTypeInfo<T> typeInfo)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        JsonSerializer.Serialize(writer, value, typeInfo);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
