using System.Text.Json;

namespace Keyway.Protocols.WholeAnswers;

/// <summary>
/// An Anthropic message (https://docs.anthropic.com/en/api/messages#response) as its stream
/// (https://docs.anthropic.com/en/docs/build-with-claude/streaming): <c>message_start</c> with the message but its
/// content and stop reason; per block <c>content_block_start</c>, one delta carrying all of it (<c>text_delta</c>,
/// <c>thinking_delta</c> then <c>signature_delta</c>, <c>input_json_delta</c> with the tool input's JSON) and
/// <c>content_block_stop</c> (a block of another type starts whole and has no delta); <c>message_delta</c> with the
/// stop reason and the usage; <c>message_stop</c>.
/// </summary>
internal static class AnthropicMessageEvents
{
    public static bool Write(JsonElement message, SseEventWriter events)
    {
        // An upstream that leaves "type" out still answers a message; {"type":"error",…} does not.
        if ((message.TryGetProperty("type"u8, out var type) && !type.ValueEquals("message"u8))
            || !message.TryGetProperty("content"u8, out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        events.Event("message_start", message, static (writer, message) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "message_start"u8);
            writer.WriteStartObject("message"u8);
            foreach (var member in message.EnumerateObject())
            {
                if (member.NameEquals("content"u8))
                {
                    writer.WriteStartArray("content"u8);
                    writer.WriteEndArray();
                }
                else if (member.NameEquals("stop_reason"u8) || member.NameEquals("stop_sequence"u8))
                {
                    writer.WriteNull(member.Name);
                }
                else
                {
                    member.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind == JsonValueKind.Object)
            {
                WriteBlock(events, block, index++);
            }
        }
        events.Event("message_delta", message, static (writer, message) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "message_delta"u8);
            writer.WriteStartObject("delta"u8);
            WriteMember(writer, message, "stop_reason");
            WriteMember(writer, message, "stop_sequence");
            writer.WriteEndObject();
            if (message.TryGetProperty("usage"u8, out var usage))
            {
                writer.WritePropertyName("usage"u8);
                usage.WriteTo(writer);
            }
            writer.WriteEndObject();
        });
        events.Event("message_stop", 0, static (writer, _) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "message_stop"u8);
            writer.WriteEndObject();
        });
        return true;
    }

    private static void WriteBlock(SseEventWriter events, JsonElement block, int index)
    {
        var type = block.TryGetProperty("type"u8, out var blockType) && blockType.ValueKind == JsonValueKind.String ? blockType.GetString() : null;
        var (emptied, deltaType, deltaField) = type switch
        {
            "text" => ("text", "text_delta", "text"),
            "thinking" => ("thinking", "thinking_delta", "thinking"),
            "tool_use" or "server_tool_use" => ("input", "input_json_delta", "partial_json"),
            _ => (null, null, null),
        };
        events.Event("content_block_start", (block, index, emptied), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "content_block_start"u8);
            writer.WriteNumber("index"u8, state.index);
            writer.WritePropertyName("content_block"u8);
            WriteStartedBlock(writer, state.block, state.emptied);
            writer.WriteEndObject();
        });
        if (deltaType is not null && block.TryGetProperty(emptied!, out var value))
        {
            // A tool's input streams as the text of its JSON; text and thinking stream as themselves.
            var text = emptied == "input" ? value.GetRawText() : value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
            WriteDelta(events, index, deltaType, deltaField!, text);
        }
        if (type == "thinking" && block.TryGetProperty("signature"u8, out var signature) && signature.ValueKind == JsonValueKind.String)
        {
            WriteDelta(events, index, "signature_delta", "signature", signature.GetString()!);
        }
        events.Event("content_block_stop", index, static (writer, index) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "content_block_stop"u8);
            writer.WriteNumber("index"u8, index);
            writer.WriteEndObject();
        });
    }

    /// <summary>The block as it starts: what its delta carries emptied (text "", input {}), a thinking block's signature left to its delta.</summary>
    private static void WriteStartedBlock(Utf8JsonWriter writer, JsonElement block, string? emptied)
    {
        if (emptied is null)
        {
            block.WriteTo(writer);
            return;
        }
        writer.WriteStartObject();
        foreach (var member in block.EnumerateObject())
        {
            if (member.NameEquals(emptied) && emptied == "input")
            {
                writer.WriteStartObject("input"u8);
                writer.WriteEndObject();
            }
            else if (member.NameEquals(emptied) || (emptied == "thinking" && member.NameEquals("signature"u8)))
            {
                writer.WriteString(member.Name, "");
            }
            else
            {
                member.WriteTo(writer);
            }
        }
        writer.WriteEndObject();
    }

    private static void WriteDelta(SseEventWriter events, int index, string deltaType, string field, string text) =>
        events.Event("content_block_delta", (index, deltaType, field, text), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "content_block_delta"u8);
            writer.WriteNumber("index"u8, state.index);
            writer.WriteStartObject("delta"u8);
            writer.WriteString("type"u8, state.deltaType);
            writer.WriteString(state.field, state.text);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    private static void WriteMember(Utf8JsonWriter writer, JsonElement source, string name)
    {
        if (source.TryGetProperty(name, out var value))
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
