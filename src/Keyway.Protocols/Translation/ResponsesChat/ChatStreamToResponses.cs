using Keyway.Protocols.OpenAI;
using System.Buffers;
using System.Text;
using System.Text.Json;
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
public sealed class ChatStreamToResponses : IStreamTranslator
{
    private readonly TranslatedRequest _request;
    private readonly TranslationContext _ctx;
    private readonly ResponsesEventWriter _events = new();
    private readonly StreamedOutput _output;
    private readonly ChatStreamToolCalls _toolCalls;
    private readonly ChatChunkPrefix _chunkPrefix = new();
    private readonly ChatTextChunkShape _textChunkShape = new();
    private int _messages;
    private int _reasonings;
    private StringBuilder? _summary;
    private string? _finishReason;
    private ResponsesUsage? _usage;
    private bool _started;

    public ChatStreamToResponses(TranslatedRequest request, TranslationContext ctx)
    {
        _request = request;
        _ctx = ctx;
        _output = new StreamedOutput(_events);
        _toolCalls = new ChatStreamToolCalls(new ToolCallItemWriter(_output, ctx, request.ToolNames));
    }

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
        if (_finishReason is not null || _output.Count > 0 || _toolCalls.Any || _summary is { Length: > 0 })
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
        _events.Response(output, "response.created"u8, _ctx, _request.ResponseEcho, ResponseSnapshot.InProgress);
        _events.Response(output, "response.in_progress"u8, _ctx, _request.ResponseEcho, ResponseSnapshot.InProgress);
    }

    private void OnChunk(ChatChunk chunk, IBufferWriter<byte> output)
    {
        if (chunk.Error is { } error)
        {
            // Keep the upstream's code: Codex maps context_length_exceeded (also a vendor's overflow in its own words),
            // insufficient_quota and rate_limit_exceeded ("try again in Ns") to its own retry and compaction behaviour.
            End(output, new ResponseError(
                ProtocolErrors.OpenAICode(error.Code, error.Message) ?? error.Type ?? "server_error", error.Message ?? "The upstream reported an error."));
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
        if (_request.Compaction)
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
                Reasoning(output)?.ThinkingBlocks.AddRange(thinkingBlocks);
            }

            // A token that ends mid-character comes as "" text with its logprobs: its token still belongs to the text.
            if (delta.Content is { } content && (content.Length > 0 || HasTokens(choice.Logprobs)) && !Finished)
            {
                AppendText(content, choice.Logprobs, output);
            }

            // Finished here: a held-back call without a name failed the stream.
            if (delta.ToolCalls is { } toolCalls && !Finished)
            {
                foreach (var toolCall in toolCalls)
                {
                    _toolCalls.OnFragment(toolCall, output);
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
        if (Reasoning(output) is { } reasoning)
        {
            reasoning.Append(text);
            _events.SummaryText(output, "response.reasoning_summary_text.delta"u8, reasoning, "delta"u8, text);
        }
    }

    /// <summary>
    /// The open reasoning item, or a new one with its summary part after whatever was open; null, and the stream
    /// failed, when a held-back tool call never got a name.
    /// </summary>
    private StreamedItem? Reasoning(IBufferWriter<byte> output)
    {
        if (_output.Open is { Announced: ReasoningOutputItem } open)
        {
            return open;
        }

        if (!FlushToolCalls(output))
        {
            return null;
        }

        var reasoning = _output.Add(new ReasoningOutputItem(ResponseIds.Reasoning(_ctx, _reasonings++), ""), output);
        _events.SummaryPart(output, "response.reasoning_summary_part.added"u8, reasoning, "");
        return reasoning;
    }

    /// <param name="logprobs">The chunk's <c>logprobs.content</c>: its tokens go on the delta when the client asked for them.</param>
    private void AppendText(string text, JsonElement? logprobs, IBufferWriter<byte> output)
    {
        if (_output.Open is not { Announced: MessageOutputItem } message)
        {
            if (!FlushToolCalls(output))
            {
                return;
            }

            message = AddMessage(output);
        }

        message.Append(text);
        if (message.Logprobs is null)
        {
            _events.Text(output, "response.output_text.delta"u8, message, "delta"u8, text, null);
            return;
        }

        JsonElement[] chunkLogprobs = logprobs is { } tokens ? [tokens] : [];
        message.Logprobs.AddRange(chunkLogprobs);
        _events.Text(output, "response.output_text.delta"u8, message, "delta"u8, text, chunkLogprobs);
    }

    /// <summary>Whether a chunk's <c>logprobs.content</c> holds tokens the client asked for.</summary>
    private bool HasTokens(JsonElement? logprobs) => _request.Logprobs && logprobs is { } tokens && tokens.GetArrayLength() > 0;

    private StreamedItem AddMessage(IBufferWriter<byte> output)
    {
        var message = _output.Add(new MessageOutputItem(ResponseIds.Message(_ctx, _messages++), ""), output);
        message.Logprobs = _request.Logprobs ? [] : null;
        _events.TextPart(output, "response.content_part.added"u8, message, "", message.Logprobs);
        return message;
    }

    /// <summary>Writes the held-back tool calls; false, and the stream failed, when one of them never got a name.</summary>
    private bool FlushToolCalls(IBufferWriter<byte> output, bool incomplete = false)
    {
        if (_toolCalls.Flush(output, incomplete))
        {
            return true;
        }

        End(output, new ResponseError(ProtocolErrors.OpenAIErrorType(ProtocolErrors.BadGateway), TranslationException.NamelessToolCall));
        return false;
    }

    private void Finish(IBufferWriter<byte> output)
    {
        if (BrokenOffAnswer.IsFinishReason(_finishReason))
        {
            End(output, new ResponseError(ProtocolErrors.OpenAIErrorType(ProtocolErrors.BadGateway), BrokenOffAnswer.Message));
            return;
        }

        if (_request.Compaction && !AddCompaction(output))
        {
            return;
        }

        // What is still open — the last text or reasoning, or the tool call being written and those held back behind
        // it — is what the upstream was writing: when it cut the answer, that is what was cut ("incomplete").
        var cut = ResponseSnapshot.IsCut(_finishReason);
        if (!FlushToolCalls(output, incomplete: cut))
        {
            return;
        }

        if (_output.Count == 0)
        {
            AddMessage(output);
        }

        _output.Close(output, incomplete: cut);
        _events.Response(output, "response.completed"u8, _ctx, _request.ResponseEcho, ResponseSnapshot.Finished(_finishReason, _output.Done, _usage));
        Finished = true;
    }

    /// <summary>The compaction item with the whole summary; false, and the stream failed, when the upstream wrote none.</summary>
    private bool AddCompaction(IBufferWriter<byte> output)
    {
        if (_summary is not { Length: > 0 } summary)
        {
            End(output, new ResponseError(ProtocolErrors.OpenAIErrorType(ProtocolErrors.BadGateway), "The upstream wrote no summary for the compaction."));
            return false;
        }

        _output.Add(ChatResponseToResponses.Compaction(summary.ToString(), _ctx), output);
        return true;
    }

    private void End(IBufferWriter<byte> output, ResponseError error)
    {
        // The held-back calls were being written when the upstream failed: they are written, incomplete, so the failed
        // response holds every call it had begun (a nameless one stays out: no client can run it).
        _toolCalls.Flush(output, incomplete: true);
        _events.Response(output, "response.failed"u8, _ctx, _request.ResponseEcho, new ResponseSnapshot("failed", _output.Failed(), _usage, Error: error));
        Finished = true;
    }
}
