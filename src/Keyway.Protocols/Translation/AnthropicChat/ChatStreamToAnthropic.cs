using Keyway.Protocols.OpenAI;
using System.Buffers;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Sse;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// A Chat Completions stream (https://platform.openai.com/docs/api-reference/chat-streaming) as an Anthropic Messages
/// stream (https://docs.anthropic.com/en/docs/build-with-claude/streaming): <c>message_start</c>, content blocks
/// (thinking from <c>reasoning_content</c>, text, one tool_use per tool call), <c>message_delta</c> with the stop
/// reason and the final usage, <c>message_stop</c>. The usage chunk comes after the finish_reason chunk, so the
/// message is closed at <c>[DONE]</c> (or at the end of the stream when the upstream never sends it).
/// </summary>
public sealed class ChatStreamToAnthropic : IStreamTranslator
{
    private readonly TranslatedRequest _request;
    private readonly TranslationContext _ctx;
    private readonly AnthropicBlockWriter _blocks = new();
    private readonly ChatStreamToolCalls _toolCalls;
    private readonly ChatChunkPrefix _chunkPrefix = new();
    private readonly ChatTextChunkShape _textChunkShape = new();
    private bool _started;
    private long _estimatedInputTokens;
    private string? _finishReason;
    private string? _matchedStop;
    private ChatUsage? _usage;

    public bool Finished { get; private set; }

    public ChatStreamToAnthropic(TranslatedRequest request, TranslationContext ctx)
    {
        _request = request;
        _ctx = ctx;
        _toolCalls = new ChatStreamToolCalls(new ToolUseBlockWriter(_blocks, request.ToolNames, ctx.ResponseId));
    }

    /// <summary>What the log needs of the upstream's stream, from this translator's read of it.</summary>
    public ChatStreamReport Report { get; } = new();

    public void OnEvent(in SseEvent upstreamEvent, IBufferWriter<byte> output)
    {
        if (Finished || !upstreamEvent.HasData)
        {
            return;
        }

        var data = upstreamEvent.Data.Span.Trim(" \t\r\n"u8);
        if (data.SequenceEqual("[DONE]"u8))
        {
            Report.Done();
            Finish(output);
            return;
        }

        var chunk = ChatReader.ReadChunk(data, _chunkPrefix, _textChunkShape);
        if (chunk is null)
        {
            return;
        }

        Report.Read(chunk, data);

        if (chunk.Error is { } error)
        {
            // The error's kind survives (Claude Code retries a rate_limit_error or overloaded_error, not an api_error),
            // and a context overflow (OpenAI's code or a vendor's words) reads as Anthropic's, by which Claude Code compacts.
            WriteError(ProtocolErrors.AnthropicErrorTypeFromOpenAI(error.Type, ProtocolErrors.OpenAICode(error.Code, error.Message)),
                ProtocolErrors.AnthropicMessageFromOpenAI(error.Code, error.Message ?? "The upstream reported an error."), output);
            return;
        }

        Start(output);
        _usage = chunk.Usage ?? _usage;
        // A loop rather than LINQ: this runs for every event of every translated stream.
        foreach (var choice in chunk.Choices)
        {
            if (choice.Index == 0)
            {
                OnChoice(choice, output);
            }
        }
    }

    public void Complete(IBufferWriter<byte> output)
    {
        if (Finished)
        {
            return;
        }

        if (_started)
        {
            Finish(output);
        }
        else
        {
            Fail(ProtocolErrors.BadGateway, "The upstream stream ended before any answer.", output);
        }
    }

    public void Fail(int status, string message, IBufferWriter<byte> output) => WriteError(ProtocolErrors.AnthropicErrorType(status), message, output);

    private void WriteError(string type, string message, IBufferWriter<byte> output)
    {
        if (Finished)
        {
            return;
        }

        Finished = true;
        var error = new ErrorEvent(new AnthropicError(type, message));
        TranslationJson.WriteEvent(output, "error", error, AnthropicChatJsonContext.Default.ErrorEvent);
    }

    private void OnChoice(ChatChunkChoice choice, IBufferWriter<byte> output)
    {
        var delta = choice.Delta ?? new ChatDelta();
        if (!string.IsNullOrEmpty(delta.ReasoningContent))
        {
            if (!FlushToolCalls(output))
            {
                return;
            }

            _blocks.Thinking(delta.ReasoningContent, output);
        }

        if (!string.IsNullOrEmpty(delta.Content))
        {
            if (!FlushToolCalls(output))
            {
                return;
            }

            _blocks.Text(delta.Content, output);
        }

        // Not "?? []": that is a new empty list for every chunk without tool calls.
        if (delta.ToolCalls is { } fragments)
        {
            foreach (var fragment in fragments)
            {
                _toolCalls.OnFragment(fragment, output);
            }
        }

        if (choice.FinishReason is not null)
        {
            _finishReason = choice.FinishReason;
            _matchedStop = StopReasons.MatchedStop(choice.StopReason, choice.MatchedStop);
        }
    }

    /// <summary>
    /// message_start as the native API sends it: usage with the prompt size (estimated here, since a Chat upstream
    /// reports it only at the end), zero cache tokens and one output token. Claude Code rejected bridged streams whose
    /// message_start usage differed from that shape (BerriAI/litellm#24176).
    /// </summary>
    private void Start(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _estimatedInputTokens = _request.PromptTokenEstimate;
        var message = new AnthropicResponse
        {
            Id = _ctx.ResponseId,
            Model = _ctx.ClientModel,
            Usage = new AnthropicUsage { InputTokens = _estimatedInputTokens, CacheCreationInputTokens = 0, CacheReadInputTokens = 0, OutputTokens = 1 },
        };
        TranslationJson.WriteEvent(output, "message_start", new MessageStartEvent(message), AnthropicChatJsonContext.Default.MessageStartEvent);
    }

    /// <summary>Writes the held-back tool calls; false, and the stream failed, when one of them never got a name.</summary>
    private bool FlushToolCalls(IBufferWriter<byte> output)
    {
        if (_toolCalls.Flush(output))
        {
            return true;
        }

        Fail(ProtocolErrors.BadGateway, TranslationException.NamelessToolCall, output);
        return false;
    }

    private void Finish(IBufferWriter<byte> output)
    {
        if (BrokenOffAnswer.IsFinishReason(_finishReason))
        {
            Fail(ProtocolErrors.BadGateway, BrokenOffAnswer.Message, output);
            return;
        }

        Start(output);
        if (!FlushToolCalls(output))
        {
            return;
        }

        _blocks.Close(output);
        var stopReason = StopReasons.ToAnthropic(_finishReason, _matchedStop);
        var usage = _usage is null
            ? new AnthropicUsage { InputTokens = _estimatedInputTokens, CacheCreationInputTokens = 0, CacheReadInputTokens = 0 }
            : UsageMapping.ToAnthropic(_usage);
        var delta = new MessageDeltaBody(stopReason, stopReason == "stop_sequence" ? _matchedStop : null);
        TranslationJson.WriteEvent(output, "message_delta", new MessageDeltaEvent(delta, usage), AnthropicChatJsonContext.Default.MessageDeltaEvent);
        TranslationJson.WriteEvent(output, "message_stop", new MessageStopEvent(), AnthropicChatJsonContext.Default.MessageStopEvent);
        Finished = true;
    }
}
