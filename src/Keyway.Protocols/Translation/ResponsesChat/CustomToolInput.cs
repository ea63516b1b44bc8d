using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>The one JSON argument a freeform custom tool becomes on a chat upstream, and the way back to its raw text.</summary>
internal static class CustomToolInput
{
    public const string ArgumentName = "input";

    /// <summary>The arguments a chat upstream would have sent for this raw input: <c>{"input":"…"}</c>.</summary>
    public static string ToArguments(string rawInput)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, ResponsesJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(ArgumentName, rawInput);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// The raw input from the arguments a model sent. Models do not always obey the schema (no JSON, no
    /// <c>input</c>, a non-string value): then the arguments text itself is the best guess at the raw input.
    /// </summary>
    public static string FromArguments(string arguments)
    {
        try
        {
            using var document = JsonDocument.Parse(arguments);
            return document.RootElement.String(ArgumentName) ?? arguments;
        }
        catch (JsonException)
        {
            return arguments;
        }
    }
}
