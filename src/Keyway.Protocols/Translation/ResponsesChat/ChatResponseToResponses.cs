using Keyway.Protocols.OpenAI;
using System.Buffers;
using System.Text.Json;
using Keyway.Protocols.Json;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Translates a non-streamed Chat completion (https://platform.openai.com/docs/api-reference/chat/object) into a
/// Responses response object. Output order: reasoning, message, then one item per tool call in the upstream's order.
/// The completion is read by <see cref="ChatReader"/>, as for Anthropic clients.
/// </summary>
public static class ChatResponseToResponses
{
    public static byte[] Translate(ReadOnlySpan<byte> chatResponse, TranslatedRequest request, TranslationContext ctx) =>
        Translate(chatResponse, request, ctx, out _);

    /// <summary>The answer, and in <paramref name="upstreamUsage"/> the completion's usage as the request log records it.</summary>
    public static byte[] Translate(ReadOnlySpan<byte> chatResponse, TranslatedRequest request, TranslationContext ctx, out TokenUsage? upstreamUsage)
    {
        var completion = ChatReader.ReadCompletion(chatResponse);
        upstreamUsage = UsageMapping.ToTokenUsage(completion.Usage);
        if (completion.Choices is not [var choice, ..])
        {
            throw new TranslationException("The chat completion has no choices.");
        }

        if (BrokenOffAnswer.IsFinishReason(choice.FinishReason))
        {
            throw TranslationException.BrokeOff(BrokenOffAnswer.Message);
        }

        List<ResponseOutputItem> output = request.Compaction ? [Compaction(choice.Delta?.Content, ctx)] : OutputItems(choice, request, ctx);
        if (ResponseSnapshot.IsCut(choice.FinishReason))
        {
            // The upstream stopped while writing the last item, and any call whose arguments it left unfinished: parallel
            // calls can be written interleaved, as the stream translation sees (ChatStreamToolCalls.Flush).
            for (var i = 0; i < output.Count; i++)
            {
                if (i == output.Count - 1 || output[i] is ToolCallOutputItem call && !AnthropicBlocks.IsCompleteJson(call.Arguments))
                {
                    output[i] = output[i] with { Incomplete = true };
                }
            }
        }

        var snapshot = ResponseSnapshot.Finished(choice.FinishReason, output, ResponsesUsage.FromChat(completion.Usage));

        using var buffer = new PooledBufferWriter(chatResponse.Length + 512);
        using (var writer = new Utf8JsonWriter(buffer, ResponsesJson.WriterOptions))
        {
            ResponseDocumentWriter.Write(writer, ctx, request.ResponseEcho, snapshot);
        }

        return buffer.ToArray();
    }

    /// <summary>The one item of a compaction's answer: the summary the model wrote.</summary>
    internal static CompactionOutputItem Compaction(string? summary, TranslationContext ctx) =>
        summary is { Length: > 0 }
            ? new CompactionOutputItem(ResponseIds.Compaction(ctx), KeywayCompaction.Seal(summary))
            : throw new TranslationException("The upstream wrote no summary for the compaction.");

    /// <summary>The items of the choice's message (null when the choice has none).</summary>
    private static List<ResponseOutputItem> OutputItems(ChatChunkChoice choice, TranslatedRequest request, TranslationContext ctx)
    {
        var message = choice.Delta;
        var toolNames = request.ToolNames;
        var items = new List<ResponseOutputItem>();
        if (message?.ReasoningContent is { Length: > 0 } || message?.ThinkingBlocks is { Count: > 0 })
        {
            var thinking = message.ThinkingBlocks is { Count: > 0 } blocks ? KeywayThinking.Seal(blocks) : null;
            items.Add(new ReasoningOutputItem(ResponseIds.Reasoning(ctx), message.ReasoningContent ?? "", thinking));
        }

        var text = message?.Content ?? "";
        var toolCalls = message?.ToolCalls ?? [];
        if (text.Length > 0 || (items.Count == 0 && toolCalls.Count == 0))
        {
            items.Add(new MessageOutputItem(ResponseIds.Message(ctx), text) { Logprobs = request.Logprobs ? choice.Logprobs is { } tokens ? [tokens] : [] : null });
        }

        for (var position = 0; position < toolCalls.Count; position++)
        {
            var call = toolCalls[position];
            var name = call.Function?.Name is { Length: > 0 } named ? named : throw new TranslationException(TranslationException.NamelessToolCall);
            items.Add(ToolCallItem.Create(ctx, toolNames, call.Id, position, name, call.Function?.Arguments ?? ""));
        }

        return items;
    }
}
