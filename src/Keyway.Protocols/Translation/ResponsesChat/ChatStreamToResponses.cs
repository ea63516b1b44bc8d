using System.Buffers;
using System.Text;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Turns a Chat Completions stream (https://platform.openai.com/docs/api-reference/chat-streaming) into the
/// Responses event stream Codex consumes (codex-rs/codex-api/src/sse/responses.rs): <c>response.created</c>,
/// <c>response.in_progress</c>, per item <c>output_item.added</c> → deltas → <c>output_item.done</c> with the
/// complete item (Codex builds history and runs tools from that event only), then <c>response.completed</c>.
/// Items stay open until the upstream finishes, so late deltas always find their item; they close in output order.
/// Codex treats a stream without <c>response.completed</c> as an error ("stream closed before response.completed"),
/// so every stream ends with <c>response.completed</c> or <c>response.failed</c> — a truncated answer too
/// (<c>response.completed</c> whose response has status "incomplete"). Chunks are read by <see cref="ChatReader"/>, as
/// for Anthropic clients: only what is used, and most text chunks from the shape of the one before. A compaction's
/// answer (<see cref="TranslatedRequest.Compaction"/>) is one <c>compaction</c> item, announced complete once the
/// upstream has written the whole summary; its text and reasoning are not streamed.
/// </summary>
public sealed class ChatStreamToResponses(TranslatedRequest request, TranslationContext ctx) : IStreamTranslator
{
    private readonly ResponsesEventWriter _events = new();
    private readonly List<StreamedItem> _items = [];
    private readonly ChatStreamToolCalls _toolCalls = new();
    private readonly ChatChunkPrefix _chunkPrefix = new();
    private readonly ChatTextChunkShape _textChunkShape = new();
    private StreamedItem? _reasoning;
    private StreamedItem? _message;
    private StringBuilder? _summary;
    private string? _finishReason;
    private ResponsesUsage? _usage;
    private bool _started;

    /// <summary>What the log needs of the upstream's stream, from this translator's read of it.</summary>
    public bool Finished { get; private set; }

    public ChatStreamReport Report { get; } = new();

    public void OnEvent(in SseEvent upstreamEvent, IBufferWriter<byte> output)
    {
        if (Finished || !upstreamEvent.HasData)
        {
            return;
        }

        Start(output);
        var data = upstreamEvent.Data.Span.Trim(" \t\r\n"u8);
        if (data.SequenceEqual("[DONE]"u8))
        {
            Report.Done();
            Finish(output);
            return;
        }

        if (ChatReader.ReadChunk(data, _chunkPrefix, _textChunkShape) is { } chunk)
        {
            Report.Read(chunk, data);
            OnChunk(chunk, output);
        }
    }

    public void Complete(IBufferWriter<byte> output)
    {
        if (Finished)
        {
            return;
        }

        Start(output);
        if (_finishReason is not null || _items.Count > 0 || _toolCalls.Any || _summary is { Length: > 0 })
        {
            Finish(output);
        }
        else
        {
            Fail(ProtocolErrors.BadGateway, "The upstream stream ended before any output.", output);
        }
    }

    public void Fail(int status, string message, IBufferWriter<byte> output)
    {
        if (Finished)
        {
            return;
        }

        Start(output);
        End(output, new ResponseError(ProtocolErrors.OpenAIErrorType(status), message));
    }

    private void Start(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _events.Response(output, "response.created"u8, ctx, ResponseSnapshot.InProgress);
        _events.Response(output, "response.in_progress"u8, ctx, ResponseSnapshot.InProgress);
    }

    private void OnChunk(ChatChunk chunk, IBufferWriter<byte> output)
    {
        if (chunk.Error is { } error)
        {
            // Keep the upstream's code: Codex maps context_length_exceeded, insufficient_quota and
            // rate_limit_exceeded ("try again in Ns") to its own retry and compaction behaviour.
            End(output, new ResponseError(error.Code ?? error.Type ?? "server_error", error.Message ?? "The upstream reported an error."));
            return;
        }

        if (ResponsesUsage.FromChat(chunk.Usage) is { } usage)
        {
            _usage = usage;
        }

        foreach (var choice in chunk.Choices)
        {
            // Only the first choice becomes output: a Responses answer has no n > 1.
            if (choice.Index == 0)
            {
                OnChoice(choice, output);
            }
        }
    }

    private void OnChoice(ChatChunkChoice choice, IBufferWriter<byte> output)
    {
        if (request.Compaction)
        {
            _summary ??= new StringBuilder();
            _summary.Append(choice.Delta?.Content);
            _finishReason = choice.FinishReason ?? _finishReason;
            return;
        }

        if (choice.Delta is { } delta)
        {
            if (delta.ReasoningContent is { Length: > 0 } reasoning)
            {
                AppendReasoning(reasoning, output);
            }

            if (delta.ThinkingBlocks is { Count: > 0 } thinkingBlocks)
            {
                Reasoning(output).ThinkingBlocks.AddRange(thinkingBlocks);
            }

            if (delta.Content is { Length: > 0 } content)
            {
                AppendText(content, output);
            }

            if (delta.ToolCalls is { } toolCalls)
            {
                foreach (var toolCall in toolCalls)
                {
                    AppendToolCall(toolCall, output);
                }
            }
        }

        if (choice.FinishReason is { } finishReason)
        {
            _finishReason = finishReason;
        }
    }

    private void AppendReasoning(string text, IBufferWriter<byte> output)
    {
        var reasoning = Reasoning(output);
        reasoning.Append(text);
        _events.SummaryText(output, "response.reasoning_summary_text.delta"u8, reasoning, "delta"u8, text);
    }

    /// <summary>The reasoning item, announced with its summary part when the first reasoning text or thinking block arrives.</summary>
    private StreamedItem Reasoning(IBufferWriter<byte> output)
    {
        if (_reasoning is null)
        {
            _reasoning = Announce(new StreamedItem(), new ReasoningOutputItem(ResponseIds.Reasoning(ctx), ""), output);
            _events.SummaryPart(output, "response.reasoning_summary_part.added"u8, _reasoning, "");
        }

        return _reasoning;
    }

    private void AppendText(string text, IBufferWriter<byte> output)
    {
        _message ??= AnnounceMessage(output);
        _message.Append(text);
        _events.Text(output, "response.output_text.delta"u8, _message, "delta"u8, text);
    }

    private StreamedItem AnnounceMessage(IBufferWriter<byte> output)
    {
        var message = Announce(new StreamedItem(), new MessageOutputItem(ResponseIds.Message(ctx), ""), output);
        _events.TextPart(output, "response.content_part.added"u8, message, "");
        return message;
    }

    /// <summary>A call is announced once its name is known (it decides function vs custom); arguments wait until then.</summary>
    private void AppendToolCall(ChatToolCall toolCall, IBufferWriter<byte> output)
    {
        var call = _toolCalls.Resolve(toolCall);
        if (call.UpstreamName.Length == 0 && toolCall.Function?.Name is { Length: > 0 } name)
        {
            call.UpstreamName = name;
        }

        var arguments = toolCall.Function?.Arguments ?? "";
        var wasAnnounced = call.Announced is not null;
        call.Append(arguments);
        if (!wasAnnounced && call.UpstreamName.Length > 0)
        {
            AnnounceToolCall(call, output);
            arguments = call.Text;
        }

        if (call.Announced is not null && !call.IsCustomToolCall && arguments.Length > 0)
        {
            _events.ToolInput(output, "response.function_call_arguments.delta"u8, call, "delta"u8, arguments);
        }
    }

    private void AnnounceToolCall(StreamedItem call, IBufferWriter<byte> output) =>
        Announce(call, ToolCallItem.Create(ctx, request.ToolNames, call.CallId, call.ChatIndex, call.UpstreamName, ""), output);

    private StreamedItem Announce(StreamedItem streamed, ResponseOutputItem item, IBufferWriter<byte> output)
    {
        streamed.Announce(item, _items.Count);
        _items.Add(streamed);
        _events.Item(output, "response.output_item.added"u8, streamed.OutputIndex, item, done: false);
        return streamed;
    }

    private void Finish(IBufferWriter<byte> output)
    {
        if (request.Compaction && !AnnounceCompaction(output))
        {
            return;
        }

        // A call is announced once it has a name: one still unannounced never got one, and nothing can run it.
        if (_toolCalls.AnyUnannounced)
        {
            End(output, new ResponseError(ProtocolErrors.OpenAIErrorType(ProtocolErrors.BadGateway), TranslationException.NamelessToolCall));
            return;
        }

        if (_items.Count == 0)
        {
            _message = AnnounceMessage(output);
        }

        var completed = new List<ResponseOutputItem>(_items.Count);
        foreach (var item in _items)
        {
            completed.Add(StreamedItemEvents.Close(_events, item, output));
        }

        _events.Response(output, "response.completed"u8, ctx, ResponseSnapshot.Finished(_finishReason, completed, _usage));
        Finished = true;
    }

    /// <summary>The compaction item with the whole summary; false, and the stream failed, when the upstream wrote none.</summary>
    private bool AnnounceCompaction(IBufferWriter<byte> output)
    {
        if (_summary is not { Length: > 0 } summary)
        {
            End(output, new ResponseError(ProtocolErrors.OpenAIErrorType(ProtocolErrors.BadGateway), "The upstream wrote no summary for the compaction."));
            return false;
        }

        Announce(new StreamedItem(), ChatResponseToResponses.Compaction(summary.ToString(), ctx), output);
        return true;
    }

    private void End(IBufferWriter<byte> output, ResponseError error)
    {
        var partial = _items.Select(item => item.Complete()).ToList();
        _events.Response(output, "response.failed"u8, ctx, new ResponseSnapshot("failed", partial, _usage, Error: error));
        Finished = true;
    }
}
