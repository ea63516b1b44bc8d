using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>Writes the response object (https://platform.openai.com/docs/api-reference/responses/object) and its output items.</summary>
internal static class ResponseDocumentWriter
{
    private static readonly JsonEncodedText LogprobsName = JsonEncodedText.Encode("logprobs");

    public static void Write(Utf8JsonWriter writer, TranslationContext ctx, ResponseEcho? echo, ResponseSnapshot snapshot)
    {
        writer.WriteStartObject();
        writer.WriteString("id", ctx.ResponseId);
        writer.WriteString("object", "response");
        writer.WriteNumber("created_at", ctx.CreatedUnixSeconds);
        writer.WriteString("status", snapshot.Status);
        WriteError(writer, snapshot.Error);
        if (snapshot.IncompleteReason is { } reason)
        {
            writer.WriteStartObject("incomplete_details");
            writer.WriteString("reason", reason);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("incomplete_details");
        }

        writer.WriteString("model", ctx.ClientModel);
        if (ctx.Storage is { } storage)
        {
            writer.WriteString("previous_response_id", storage.PreviousResponseId);
            writer.WriteBoolean("store", storage.Store);
        }

        echo?.WriteTo(writer);

        writer.WriteStartArray("output");
        foreach (var item in snapshot.Output)
        {
            WriteItem(writer, item, done: true);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("usage");
        if (snapshot.Usage is { } usage)
        {
            usage.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// An output item as <c>response.output_item.added</c> announces it (<paramref name="done"/> false: empty, in
    /// progress) or as <c>response.output_item.done</c> and the final response carry it (complete).
    /// </summary>
    public static void WriteItem(Utf8JsonWriter writer, ResponseOutputItem item, bool done)
    {
        writer.WriteStartObject();
        writer.WriteString("id", item.Id);
        switch (item)
        {
            case ReasoningOutputItem reasoning:
                writer.WriteString("type", "reasoning");
                writer.WriteString("status", Status(item, done));
                writer.WriteStartArray("summary");
                if (done)
                {
                    WriteSummaryPart(writer, reasoning.Text);
                }

                writer.WriteEndArray();
                if (done && reasoning.EncryptedContent is { } sealedThinking)
                {
                    writer.WriteString("encrypted_content", sealedThinking);
                }
                break;
            case MessageOutputItem message:
                writer.WriteString("type", "message");
                writer.WriteString("status", Status(item, done));
                writer.WriteString("role", "assistant");
                writer.WriteStartArray("content");
                if (done)
                {
                    WriteTextPart(writer, message.Text, message.Logprobs);
                }

                writer.WriteEndArray();
                break;
            case ToolCallOutputItem { IsCustom: true } custom:
                writer.WriteString("type", "custom_tool_call");
                writer.WriteString("status", Status(item, done));
                writer.WriteString("call_id", custom.CallId);
                writer.WriteString("name", custom.Name);
                writer.WriteString("input", done ? custom.CustomInput : "");
                break;
            case CompactionOutputItem compaction:
                // Announced complete: the item has no parts that arrive later.
                writer.WriteString("type", "compaction");
                writer.WriteString("encrypted_content", compaction.EncryptedContent);
                break;
            case ToolCallOutputItem call:
                writer.WriteString("type", "function_call");
                writer.WriteString("status", Status(item, done));
                writer.WriteString("call_id", call.CallId);
                writer.WriteString("name", call.Name);
                writer.WriteString("arguments", done ? call.Arguments : "");
                break;
        }

        writer.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter writer, string text, IReadOnlyList<JsonElement>? logprobs)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "output_text");
        writer.WriteString("text", text);
        writer.WriteStartArray("annotations");
        writer.WriteEndArray();
        if (logprobs is not null)
        {
            WriteLogprobs(writer, logprobs);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>logprobs</c>: the tokens of the upstream's <c>logprobs.content</c> arrays, whose objects (token, logprob,
    /// bytes, top_logprobs) are the shape Responses gives them; empty when there are none.
    /// </summary>
    public static void WriteLogprobs(Utf8JsonWriter writer, IReadOnlyList<JsonElement>? logprobs)
    {
        writer.WriteStartArray(LogprobsName);
        foreach (var content in logprobs ?? [])
        {
            foreach (var token in content.EnumerateArray())
            {
                token.WriteTo(writer);
            }
        }

        writer.WriteEndArray();
    }

    public static void WriteSummaryPart(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "summary_text");
        writer.WriteString("text", text);
        writer.WriteEndObject();
    }

    private static string Status(ResponseOutputItem item, bool done) => !done ? "in_progress" : item.Incomplete ? "incomplete" : "completed";

    private static void WriteError(Utf8JsonWriter writer, ResponseError? error)
    {
        if (error is null)
        {
            writer.WriteNull("error");
            return;
        }

        writer.WriteStartObject("error");
        writer.WriteString("code", error.Code);
        writer.WriteString("message", error.Message);
        writer.WriteEndObject();
    }
}
