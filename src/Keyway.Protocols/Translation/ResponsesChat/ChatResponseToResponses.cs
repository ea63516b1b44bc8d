using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Translates a non-streamed Chat completion (https://platform.openai.com/docs/api-reference/chat/object) into a
/// Responses response object. Output order: reasoning, message, then one item per tool call in the upstream's order.
/// </summary>
public static class ChatResponseToResponses
{
    public static byte[] Translate(ReadOnlySpan<byte> chatResponse, TranslatedRequest request, TranslationContext ctx)
    {
        using var document = ResponsesJson.ParseObject(chatResponse, "The chat completion");
        var root = document.RootElement;
        if (!root.TryGet("choices", JsonValueKind.Array, out var choices) || choices.GetArrayLength() == 0)
        {
            throw new TranslationException("The chat completion has no choices.");
        }

        var choice = choices[0];
        var message = choice.TryGet("message", JsonValueKind.Object, out var m) ? m : default;
        var output = OutputItems(message, request.ToolNames, ctx);
        var usage = root.TryGetProperty("usage", out var u) ? ResponsesUsage.FromChat(u) : null;
        var snapshot = ResponseSnapshot.Finished(choice.String("finish_reason"), output, usage);

        var buffer = new ArrayBufferWriter<byte>(chatResponse.Length + 512);
        using (var writer = new Utf8JsonWriter(buffer, ResponsesJson.WriterOptions))
        {
            ResponseDocumentWriter.Write(writer, ctx, snapshot);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static List<ResponseOutputItem> OutputItems(JsonElement message, ToolNameMap toolNames, TranslationContext ctx)
    {
        var items = new List<ResponseOutputItem>();
        if (ChatDelta.Reasoning(message) is { Length: > 0 } reasoning)
        {
            items.Add(new ReasoningOutputItem(ResponseIds.Reasoning(ctx), reasoning));
        }

        var text = ContentText(message);
        var toolCalls = message.TryGet("tool_calls", JsonValueKind.Array, out var calls) ? calls.GetArrayLength() : 0;
        if (text.Length > 0 || (items.Count == 0 && toolCalls == 0))
        {
            items.Add(new MessageOutputItem(ResponseIds.Message(ctx), text));
        }

        for (var position = 0; position < toolCalls; position++)
        {
            var call = calls[position];
            var function = call.TryGet("function", JsonValueKind.Object, out var f) ? f : default;
            items.Add(ToolCallItem.Create(
                ctx,
                toolNames,
                call.String("id"),
                position,
                function.String("name") ?? "",
                function.String("arguments") ?? ""));
        }

        return items;
    }

    /// <summary>Content is a string, null (tool calls only), or — from a few upstreams — an array of text parts.</summary>
    private static string ContentText(JsonElement message)
    {
        // A choice without a message object leaves `message` undefined, which TryGetProperty would throw on.
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content))
        {
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        var builder = new StringBuilder();
        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var text in content.EnumerateArray().Select(part => part.String("text")).OfType<string>())
            {
                builder.Append(text);
            }
        }

        return builder.ToString();
    }
}
