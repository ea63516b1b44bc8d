using System.Buffers;
using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Writes Responses stream events (https://platform.openai.com/docs/api-reference/responses-streaming) as SSE:
/// <c>event: &lt;type&gt;</c>, one <c>data:</c> line, a blank line. Every event carries an increasing
/// <c>sequence_number</c>, starting at 0.
/// </summary>
internal sealed class ResponsesEventWriter
{
    // Names written into every event, encoded once: a translated stream writes an event per upstream chunk.
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText SequenceNumberName = JsonEncodedText.Encode("sequence_number");
    private static readonly JsonEncodedText ItemIdName = JsonEncodedText.Encode("item_id");
    private static readonly JsonEncodedText OutputIndexName = JsonEncodedText.Encode("output_index");
    private static readonly JsonEncodedText ContentIndexName = JsonEncodedText.Encode("content_index");
    private static readonly JsonEncodedText SummaryIndexName = JsonEncodedText.Encode("summary_index");

    private Utf8JsonWriter? _json;
    private long _sequence;

    public void Response(IBufferWriter<byte> output, ReadOnlySpan<byte> type, TranslationContext ctx, ResponseEcho? echo, ResponseSnapshot snapshot)
    {
        var json = Begin(output, type);
        json.WritePropertyName("response");
        ResponseDocumentWriter.Write(json, ctx, echo, snapshot);
        End(output);
    }

    public void Item(IBufferWriter<byte> output, ReadOnlySpan<byte> type, int outputIndex, ResponseOutputItem item, bool done)
    {
        var json = Begin(output, type);
        json.WriteNumber(OutputIndexName, outputIndex);
        json.WritePropertyName("item");
        ResponseDocumentWriter.WriteItem(json, item, done);
        End(output);
    }

    /// <summary><c>response.content_part.added/done</c> for the single output_text part of a message.</summary>
    public void TextPart(IBufferWriter<byte> output, ReadOnlySpan<byte> type, StreamedItem item, string text, IReadOnlyList<JsonElement>? logprobs = null)
    {
        var json = BeginForItem(output, type, item);
        json.WriteNumber(ContentIndexName, 0);
        json.WritePropertyName("part");
        ResponseDocumentWriter.WriteTextPart(json, text, logprobs);
        End(output);
    }

    /// <summary>
    /// <c>response.output_text.delta</c> (property "delta") or <c>.done</c> (property "text"), with the tokens'
    /// <paramref name="logprobs"/> (none: an empty list).
    /// </summary>
    public void Text(IBufferWriter<byte> output, ReadOnlySpan<byte> type, StreamedItem item, ReadOnlySpan<byte> property, string text, IReadOnlyList<JsonElement>? logprobs)
    {
        var json = BeginForItem(output, type, item);
        json.WriteNumber(ContentIndexName, 0);
        json.WriteString(property, text);
        ResponseDocumentWriter.WriteLogprobs(json, logprobs);
        End(output);
    }

    /// <summary><c>response.reasoning_summary_part.added/done</c>; Codex needs <c>summary_index</c> on them.</summary>
    public void SummaryPart(IBufferWriter<byte> output, ReadOnlySpan<byte> type, StreamedItem item, string text)
    {
        var json = BeginForItem(output, type, item);
        json.WriteNumber(SummaryIndexName, 0);
        json.WritePropertyName("part");
        ResponseDocumentWriter.WriteSummaryPart(json, text);
        End(output);
    }

    /// <summary><c>response.reasoning_summary_text.delta</c> ("delta") or <c>.done</c> ("text").</summary>
    public void SummaryText(IBufferWriter<byte> output, ReadOnlySpan<byte> type, StreamedItem item, ReadOnlySpan<byte> property, string text)
    {
        var json = BeginForItem(output, type, item);
        json.WriteNumber(SummaryIndexName, 0);
        json.WriteString(property, text);
        End(output);
    }

    /// <summary>Tool call events: <c>function_call_arguments.delta/done</c>, <c>custom_tool_call_input.delta/done</c>.</summary>
    public void ToolInput(IBufferWriter<byte> output, ReadOnlySpan<byte> type, StreamedItem item, ReadOnlySpan<byte> property, string text)
    {
        var json = BeginForItem(output, type, item);
        json.WriteString(property, text);
        End(output);
    }

    private Utf8JsonWriter BeginForItem(IBufferWriter<byte> output, ReadOnlySpan<byte> type, StreamedItem item)
    {
        var json = Begin(output, type);
        json.WriteString(ItemIdName, item.Id);
        json.WriteNumber(OutputIndexName, item.OutputIndex);
        return json;
    }

    private Utf8JsonWriter Begin(IBufferWriter<byte> output, ReadOnlySpan<byte> type)
    {
        output.Write("event: "u8);
        output.Write(type);
        output.Write("\ndata: "u8);
        if (_json is null)
        {
            _json = new Utf8JsonWriter(output, ResponsesJson.WriterOptions);
        }
        else
        {
            _json.Reset(output);
        }

        _json.WriteStartObject();
        _json.WriteString(TypeName, type);
        _json.WriteNumber(SequenceNumberName, _sequence++);
        return _json;
    }

    private void End(IBufferWriter<byte> output)
    {
        _json!.WriteEndObject();
        _json.Flush();
        output.Write("\n\n"u8);
    }
}
