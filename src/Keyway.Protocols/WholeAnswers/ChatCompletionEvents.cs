using Keyway.Protocols.OpenAI;
using System.Text.Json;

namespace Keyway.Protocols.WholeAnswers;

/// <summary>
/// A Chat completion (https://platform.openai.com/docs/api-reference/chat/object) as the chunks of its stream
/// (https://platform.openai.com/docs/api-reference/chat-streaming/streaming): one chunk carrying each choice's whole
/// <c>message</c> as its <c>delta</c> (each tool call with its <c>index</c>, as chunks number them) and its
/// finish_reason, then, as <c>stream_options.include_usage</c> streams end, a chunk with no choices and the usage,
/// then <c>[DONE]</c>. Every other member is kept as the upstream wrote it.
/// </summary>
internal static class ChatCompletionEvents
{
    public static bool Write(JsonElement completion, SseEventWriter events)
    {
        if (!completion.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            return false;
        }
        events.Event(null, completion, static (writer, completion) =>
        {
            writer.WriteStartObject();
            WriteHeader(writer, completion);
            writer.WritePropertyName("choices"u8);
            writer.WriteStartArray();
            foreach (var choice in completion.GetProperty("choices").EnumerateArray())
            {
                WriteChoice(writer, choice);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
        if (completion.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            events.Event(null, (completion, usage), static (writer, state) =>
            {
                writer.WriteStartObject();
                WriteHeader(writer, state.completion);
                writer.WriteStartArray("choices"u8);
                writer.WriteEndArray();
                writer.WritePropertyName("usage"u8);
                state.usage.WriteTo(writer);
                writer.WriteEndObject();
            });
        }
        events.Data("[DONE]"u8);
        return true;
    }

    /// <summary>Whether a choice's <c>finish_reason</c> says the answer broke off (GLM's <c>network_error</c>).</summary>
    public static bool BrokeOff(JsonElement completion)
    {
        if (!completion.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("finish_reason", out var finishReason) && BrokenOffAnswer.IsFinishReason(finishReason))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The completion's members but its choices and usage, as a chunk's (<c>object</c> says so).</summary>
    private static void WriteHeader(Utf8JsonWriter writer, JsonElement completion)
    {
        foreach (var member in completion.EnumerateObject())
        {
            if (member.NameEquals("object"u8))
            {
                writer.WriteString("object"u8, "chat.completion.chunk"u8);
            }
            else if (!member.NameEquals("choices"u8) && !member.NameEquals("usage"u8))
            {
                member.WriteTo(writer);
            }
        }
    }

    private static void WriteChoice(Utf8JsonWriter writer, JsonElement choice)
    {
        writer.WriteStartObject();
        foreach (var member in choice.EnumerateObject())
        {
            if (member.NameEquals("message"u8) && member.Value.ValueKind == JsonValueKind.Object)
            {
                writer.WritePropertyName("delta"u8);
                WriteDelta(writer, member.Value);
            }
            else
            {
                member.WriteTo(writer);
            }
        }
        writer.WriteEndObject();
    }

    private static void WriteDelta(Utf8JsonWriter writer, JsonElement message)
    {
        writer.WriteStartObject();
        foreach (var member in message.EnumerateObject())
        {
            if (!member.NameEquals("tool_calls"u8) || member.Value.ValueKind != JsonValueKind.Array)
            {
                member.WriteTo(writer);
                continue;
            }
            writer.WriteStartArray("tool_calls"u8);
            var index = 0;
            foreach (var call in member.Value.EnumerateArray())
            {
                WriteToolCall(writer, call, index++);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private static void WriteToolCall(Utf8JsonWriter writer, JsonElement call, int index)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            call.WriteTo(writer);
            return;
        }
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, index);
        foreach (var member in call.EnumerateObject())
        {
            if (!member.NameEquals("index"u8))
            {
                member.WriteTo(writer);
            }
        }
        writer.WriteEndObject();
    }
}
