using System.Text.Json;

namespace Keyway.Protocols.WholeAnswers;

/// <summary>
/// A Response (https://platform.openai.com/docs/api-reference/responses/object) as its stream
/// (https://platform.openai.com/docs/api-reference/responses-streaming): <c>response.created</c> with the response in
/// progress and no output yet; per output item <c>response.output_item.added</c>, for a message each output_text part
/// as <c>content_part.added</c>, one <c>output_text.delta</c>, <c>output_text.done</c> and <c>content_part.done</c>
/// (the SDKs build the message from those), then <c>response.output_item.done</c> with the whole item (what Codex keeps);
/// last the response whole as <c>response.completed</c>, or <c>.incomplete</c>/<c>.failed</c> when its status says so.
/// </summary>
internal static class ResponseEvents
{
    public static bool Write(JsonElement response, SseEventWriter events)
    {
        if (!response.TryGetProperty("object"u8, out var kind) || !kind.ValueEquals("response"u8)
            || !response.TryGetProperty("output"u8, out var output) || output.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        var sequence = 0;
        Event(events, "response.created", ref sequence, response, static (writer, response) =>
        {
            writer.WritePropertyName("response"u8);
            writer.WriteStartObject();
            foreach (var member in response.EnumerateObject())
            {
                if (member.NameEquals("status"u8))
                {
                    writer.WriteString("status"u8, "in_progress"u8);
                }
                else if (member.NameEquals("output"u8))
                {
                    writer.WriteStartArray("output"u8);
                    writer.WriteEndArray();
                }
                else if (!member.NameEquals("usage"u8))
                {
                    member.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        });
        var index = 0;
        foreach (var item in output.EnumerateArray())
        {
            WriteItem(events, ref sequence, item, index++);
        }
        var status = response.TryGetProperty("status"u8, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var final = status is "incomplete" or "failed" ? "response." + status : "response.completed";
        Event(events, final, ref sequence, response, static (writer, response) =>
        {
            writer.WritePropertyName("response"u8);
            response.WriteTo(writer);
        });
        return true;
    }

    private static void WriteItem(SseEventWriter events, ref int sequence, JsonElement item, int index)
    {
        var isMessage = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type"u8, out var type) && type.ValueEquals("message"u8)
            && item.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.Array;
        Event(events, "response.output_item.added", ref sequence, (item, index, isMessage), static (writer, state) =>
        {
            writer.WriteNumber("output_index"u8, state.index);
            writer.WritePropertyName("item"u8);
            if (!state.isMessage)
            {
                state.item.WriteTo(writer);
                return;
            }
            writer.WriteStartObject();
            foreach (var member in state.item.EnumerateObject())
            {
                if (member.NameEquals("content"u8))
                {
                    writer.WriteStartArray("content"u8);
                    writer.WriteEndArray();
                }
                else if (member.NameEquals("status"u8))
                {
                    writer.WriteString("status"u8, "in_progress"u8);
                }
                else
                {
                    member.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        });
        if (isMessage)
        {
            var itemId = item.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "";
            var part = 0;
            foreach (var piece in item.GetProperty("content"u8).EnumerateArray())
            {
                WritePart(events, ref sequence, new PartPlace(itemId, index, part++), piece);
            }
        }
        Event(events, "response.output_item.done", ref sequence, (item, index), static (writer, state) =>
        {
            writer.WriteNumber("output_index"u8, state.index);
            writer.WritePropertyName("item"u8);
            state.item.WriteTo(writer);
        });
    }

    private static void WritePart(SseEventWriter events, ref int sequence, PartPlace place, JsonElement part)
    {
        var text = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type"u8, out var type) && type.ValueEquals("output_text"u8)
            && part.TryGetProperty("text"u8, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        Event(events, "response.content_part.added", ref sequence, (place, part, text), static (writer, state) =>
        {
            state.place.Write(writer);
            writer.WritePropertyName("part"u8);
            if (state.text is null)
            {
                state.part.WriteTo(writer);
                return;
            }
            writer.WriteStartObject();
            foreach (var member in state.part.EnumerateObject())
            {
                if (member.NameEquals("text"u8))
                {
                    writer.WriteString("text"u8, ""u8);
                }
                else
                {
                    member.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        });
        if (text is not null)
        {
            foreach (var (name, property) in (ReadOnlySpan<(string, string)>)[("response.output_text.delta", "delta"), ("response.output_text.done", "text")])
            {
                Event(events, name, ref sequence, (place, property, text), static (writer, state) =>
                {
                    state.place.Write(writer);
                    writer.WriteString(state.property, state.text);
                    writer.WriteStartArray("logprobs"u8);
                    writer.WriteEndArray();
                });
            }
        }
        Event(events, "response.content_part.done", ref sequence, (place, part), static (writer, state) =>
        {
            state.place.Write(writer);
            writer.WritePropertyName("part"u8);
            state.part.WriteTo(writer);
        });
    }

    /// <summary>An event: its type and sequence number, then what <paramref name="writeBody"/> adds.</summary>
    private static void Event<TState>(SseEventWriter events, string type, ref int sequence, TState state, Action<Utf8JsonWriter, TState> writeBody)
    {
        events.Event(type, (type, sequence, state, writeBody), static (writer, e) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, e.type);
            writer.WriteNumber("sequence_number"u8, e.sequence);
            e.writeBody(writer, e.state);
            writer.WriteEndObject();
        });
        sequence++;
    }

    /// <summary>Where a content part is: its item's id and output index, and its index in the item's content.</summary>
    private readonly record struct PartPlace(string ItemId, int OutputIndex, int ContentIndex)
    {
        public void Write(Utf8JsonWriter writer)
        {
            writer.WriteString("item_id"u8, ItemId);
            writer.WriteNumber("output_index"u8, OutputIndex);
            writer.WriteNumber("content_index"u8, ContentIndex);
        }
    }
}
