using System.Buffers;
using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// The Responses API's conversation state on a translated route, as Keyway keeps it
/// (https://platform.openai.com/docs/api-reference/responses/create#responses-create-previous_response_id): a stored
/// turn is <c>{"input":[…],"response":{…}}</c>, the request's input items and the response object answered; a request
/// continuing from it gets every turn's input then output before its own input. The previous turns' <c>instructions</c>
/// are not carried over, as OpenAI documents.
/// </summary>
public static class ResponsesConversation
{
    /// <summary>The request's <c>input</c> as an array of items: a string is one user message, no input none.</summary>
    public static byte[] InputItems(ReadOnlyMemory<byte> request)
    {
        using var document = ResponsesJson.ParseObject(request, "The Responses request");
        return Write(writer =>
        {
            writer.WriteStartArray();
            WriteOwnInput(document.RootElement, writer);
            writer.WriteEndArray();
        });
    }

    /// <summary>
    /// A turn to store: <paramref name="inputItems"/> (from <see cref="InputItems"/>), each item without an id given one
    /// derived from the response's (<c>msg_…</c> for a message, <c>item_…</c> otherwise), so the input can be listed
    /// and paged by id; and the <paramref name="response"/> object as the client got it.
    /// </summary>
    public static byte[] Turn(ReadOnlyMemory<byte> inputItems, ReadOnlyMemory<byte> response)
    {
        using var items = JsonDocument.Parse(inputItems);
        using var answer = ResponsesJson.ParseObject(response, "The response");
        var suffix = answer.RootElement.String("id") is { } id && id.StartsWith("resp_", StringComparison.Ordinal) ? id[5..] : "";
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("input");
            var position = 0;
            foreach (var item in items.RootElement.EnumerateArray())
            {
                WriteWithId(item, item.String("type") is null or "message" ? "msg_" : "item_", $"{suffix}_{position++}", writer);
            }
            writer.WriteEndArray();
            writer.WritePropertyName("response");
            answer.RootElement.WriteTo(writer);
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// The request with the stored <paramref name="turns"/> (oldest first) put before its own input, and its
    /// <c>previous_response_id</c> left out: what the translator reads, as if the client had sent the whole conversation.
    /// </summary>
    public static byte[] Continued(ReadOnlyMemory<byte> request, IReadOnlyList<string> turns)
    {
        using var document = ResponsesJson.ParseObject(request, "The Responses request");
        return Write(writer =>
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!property.NameEquals("previous_response_id") && !property.NameEquals("input"))
                {
                    property.WriteTo(writer);
                }
            }
            writer.WriteStartArray("input");
            foreach (var turn in turns)
            {
                using var stored = JsonDocument.Parse(turn);
                WriteItems(stored.RootElement.GetProperty("input"), writer);
                if (stored.RootElement.GetProperty("response").TryGet("output", JsonValueKind.Array, out var output))
                {
                    WriteItems(output, writer);
                }
            }
            WriteOwnInput(document.RootElement, writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The response object of a stored turn.</summary>
    public static byte[] Response(string turn)
    {
        using var stored = JsonDocument.Parse(turn);
        return Write(writer => stored.RootElement.GetProperty("response").WriteTo(writer));
    }

    /// <summary>
    /// The response object a <c>response.completed</c> event carries (the SSE event as written, <c>data:</c> on one
    /// line); null when the event holds none.
    /// </summary>
    public static byte[]? ResponseOfCompletedEvent(ReadOnlySpan<byte> sseEvent)
    {
        var data = sseEvent.IndexOf("data: "u8);
        if (data < 0)
        {
            return null;
        }
        var json = sseEvent[(data + "data: ".Length)..].TrimEnd("\r\n"u8);
        var reader = new Utf8JsonReader(json);
        if (!JsonDocument.TryParseValue(ref reader, out var document))
        {
            return null;
        }
        using (document)
        {
            return document.RootElement.TryGet("response", JsonValueKind.Object, out var response)
                ? Write(response.WriteTo)
                : null;
        }
    }

    /// <summary>
    /// A page of a stored turn's input items, as GET /v1/responses/{id}/input_items lists them
    /// (https://platform.openai.com/docs/api-reference/responses/input-items): <paramref name="order"/> "desc" (OpenAI's
    /// default) or "asc", the items after the one with id <paramref name="after"/>, at most <paramref name="limit"/>.
    /// </summary>
    public static byte[] InputItemsPage(string turn, int limit, bool ascending, string? after)
    {
        using var stored = JsonDocument.Parse(turn);
        var items = stored.RootElement.GetProperty("input").EnumerateArray().ToList();
        if (!ascending)
        {
            items.Reverse();
        }
        var start = after is null ? 0 : items.FindIndex(item => item.String("id") == after) + 1;
        var page = items.Skip(start).Take(limit).ToList();
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            foreach (var item in page)
            {
                item.WriteTo(writer);
            }
            writer.WriteEndArray();
            WriteIdOrNull(writer, "first_id", page.Count > 0 ? page[0] : null);
            WriteIdOrNull(writer, "last_id", page.Count > 0 ? page[^1] : null);
            writer.WriteBoolean("has_more", start + page.Count < items.Count);
            writer.WriteEndObject();
        });
    }

    /// <summary>The request's own input items: a string input is one user message.</summary>
    private static void WriteOwnInput(JsonElement request, Utf8JsonWriter writer)
    {
        if (request.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Array)
        {
            WriteItems(input, writer);
        }
        else if (input.ValueKind == JsonValueKind.String)
        {
            WriteUserMessage(input.GetString()!, writer);
        }
    }

    private static void WriteItems(JsonElement items, Utf8JsonWriter writer)
    {
        foreach (var item in items.EnumerateArray())
        {
            item.WriteTo(writer);
        }
    }

    /// <summary>A string input as the message item OpenAI lists for it.</summary>
    internal static void WriteUserMessage(string text, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "message");
        writer.WriteString("role", "user");
        writer.WriteStartArray("content");
        writer.WriteStartObject();
        writer.WriteString("type", "input_text");
        writer.WriteString("text", text);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteWithId(JsonElement item, string prefix, string suffix, Utf8JsonWriter writer)
    {
        if (item.ValueKind != JsonValueKind.Object || item.String("id") is not null)
        {
            item.WriteTo(writer);
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("id", prefix + suffix);
        foreach (var property in item.EnumerateObject())
        {
            if (!property.NameEquals("id"))
            {
                property.WriteTo(writer);
            }
        }
        writer.WriteEndObject();
    }

    private static void WriteIdOrNull(Utf8JsonWriter writer, string name, JsonElement? item)
    {
        if (item?.String("id") is { } id)
        {
            writer.WriteString(name, id);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, ResponsesJson.WriterOptions))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
