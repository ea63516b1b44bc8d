using System.Buffers;
using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// <c>POST /v1/responses/compact</c> (https://platform.openai.com/docs/api-reference/responses/compact) on a route
/// translated to Chat or Anthropic: the call is served as a Responses request ending in a <c>compaction_trigger</c>
/// (<see cref="KeywayCompaction"/>), and its answer becomes the compacted response object: every user message of the
/// input, then the one <c>compaction</c> item.
/// </summary>
public static class ResponsesCompactEndpoint
{
    /// <summary>The compact call as a Responses request: its input (a string becomes a user message) plus the trigger, not streamed.</summary>
    public static byte[] AsCompactionRequest(ReadOnlyMemory<byte> compactRequest)
    {
        using var document = ResponsesJson.ParseObject(compactRequest, "The compact request");
        var buffer = new ArrayBufferWriter<byte>(compactRequest.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, ResponsesJson.WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("input"))
                {
                    writer.WriteStartArray("input");
                    foreach (var item in ItemsWithTrigger(property.Value))
                    {
                        item.WriteTo(writer);
                    }
                    writer.WriteEndArray();
                }
                else if (!property.NameEquals("stream"))
                {
                    property.WriteTo(writer);
                }
            }
            if (!document.RootElement.TryGetProperty("input", out _))
            {
                writer.WriteStartArray("input");
                writer.WriteEndArray();
            }
            writer.WriteBoolean("stream", false);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The compacted response object (<c>object: "response.compaction"</c>) from the translated answer of
    /// <see cref="AsCompactionRequest"/>: the compact call's user messages, then the answer's compaction item; the
    /// answer's id, creation time and usage.
    /// </summary>
    public static byte[] Resource(ReadOnlyMemory<byte> compactRequest, ReadOnlyMemory<byte> translatedAnswer)
    {
        using var request = ResponsesJson.ParseObject(compactRequest, "The compact request");
        using var answer = ResponsesJson.ParseObject(translatedAnswer, "The compaction answer");
        var response = answer.RootElement;
        var buffer = new ArrayBufferWriter<byte>(compactRequest.Length + translatedAnswer.Length);
        using (var writer = new Utf8JsonWriter(buffer, ResponsesJson.WriterOptions))
        {
            writer.WriteStartObject();
            response.CopyProperty("id", writer);
            writer.WriteString("object", "response.compaction");
            response.CopyProperty("created_at", writer);
            writer.WriteStartArray("output");
            if (request.RootElement.TryGetProperty("input", out var input))
            {
                foreach (var message in ItemsWithTrigger(input).Where(IsUserMessage))
                {
                    message.WriteTo(writer);
                }
            }
            if (response.TryGet("output", JsonValueKind.Array, out var output))
            {
                foreach (var item in output.EnumerateArray().Where(item => item.String("type") == "compaction"))
                {
                    item.WriteTo(writer);
                }
            }
            writer.WriteEndArray();
            response.CopyProperty("usage", writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The input's items, the trigger last; a string input is one user message.</summary>
    private static IEnumerable<JsonElement> ItemsWithTrigger(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            yield return UserMessage(input.GetString()!);
        }
        else if (input.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in input.EnumerateArray())
            {
                yield return item;
            }
        }
        yield return CompactionTrigger.RootElement;
    }

    private static bool IsUserMessage(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.String("role") == "user" && (item.String("type") ?? "message") == "message";

    private static JsonElement UserMessage(string text)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ResponsesConversation.WriteUserMessage(text, writer);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static readonly JsonDocument CompactionTrigger = JsonDocument.Parse("""{"type":"compaction_trigger"}""");
}
