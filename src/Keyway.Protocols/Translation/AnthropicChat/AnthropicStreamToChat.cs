using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Sse;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// An Anthropic Messages stream (https://docs.anthropic.com/en/docs/build-with-claude/streaming) as the Chat stream an
/// OpenAI upstream sends (https://platform.openai.com/docs/api-reference/chat-streaming): a role chunk, content and
/// <c>reasoning_content</c> deltas, tool_calls deltas (index, id and name first, then argument fragments), the
/// finish_reason chunk, a usage-only chunk (<c>choices: []</c>) when the Chat request asked for
/// <c>stream_options.include_usage</c> (<see cref="TranslatedRequest.IncludeUsage"/>), then <c>data: [DONE]</c>.
/// An error becomes an <c>{"error":…}</c> chunk followed by [DONE]. A tool call's arguments are always a JSON text:
/// a call that streamed none (Anthropic sends <c>input:{}</c> and one empty <c>partial_json</c> for a tool without
/// parameters) gets <c>{}</c> when its block stops, as the non-streamed answer has it; <c>""</c> is not JSON and
/// clients' JSON.parse fails on it. A thinking or redacted_thinking block, once stopped, goes whole (text and
/// signature, or data) in one delta's <c>thinking_blocks</c> (LiteLLM's field), which the client appends to the
/// assistant message's and sends back, so a tool loop keeps its thinking.
/// </summary>
public sealed class AnthropicStreamToChat(TranslatedRequest request, TranslationContext ctx) : IStreamTranslator
{
    private readonly Dictionary<int, ToolBlock> _toolByBlock = [];
    private readonly Dictionary<int, (ChatThinkingBlock Block, StringBuilder Text)> _thinkingByBlock = [];
    private bool _started;
    private string? _stopReason;
    private AnthropicUsage _usage = new();

    public bool Finished { get; private set; }

    public void OnEvent(in SseEvent upstreamEvent, IBufferWriter<byte> output)
    {
        if (Finished || !upstreamEvent.HasData)
        {
            return;
        }

        var e = TranslationJson.TryParse(upstreamEvent.Data.Span, AnthropicChatJsonContext.Default.AnthropicStreamEvent);
        switch (e?.Type)
        {
            case "message_start":
                Start(output);
                MergeUsage(e.Message?.Usage);
                break;
            case "content_block_start" when e.ContentBlock is not null:
                OnBlockStart(e.Index ?? -1, e.ContentBlock, output);
                break;
            case "content_block_delta" when e.Delta is not null:
                OnDelta(e.Index ?? -1, e.Delta, output);
                break;
            case "content_block_stop" when e.Index is { } stopped:
                EndArguments(stopped, output);
                EndThinking(stopped, output);
                break;
            case "message_delta":
                _stopReason = e.Delta?.StopReason ?? _stopReason;
                MergeUsage(e.Usage);
                break;
            case "message_stop":
                Finish(output);
                break;
            case "error":
                FailWith(e.Error, output);
                break;
        }
    }

    public void Complete(IBufferWriter<byte> output)
    {
        if (_started)
        {
            Finish(output);
        }
        else
        {
            Fail(ProtocolErrors.BadGateway, "The upstream stream ended before any answer.", output);
        }
    }

    public void Fail(int status, string message, IBufferWriter<byte> output) =>
        WriteError(new ChatError(message, ProtocolErrors.OpenAIErrorType(status)), output);

    /// <summary>
    /// Anthropic's error event with its kind as OpenAI names it (type and code), so an OpenAI client, and Codex through the
    /// Responses hop, can tell an overload or a rate limit from a failure; an error event without a known type is a server error.
    /// </summary>
    private void FailWith(AnthropicError? error, IBufferWriter<byte> output)
    {
        var message = error?.Message ?? "The upstream reported an error.";
        var (type, code) = ProtocolErrors.OpenAIErrorFromAnthropic(error?.Type, 500, message);
        WriteError(new ChatError(message, type, code), output);
    }

    private void WriteError(ChatError error, IBufferWriter<byte> output)
    {
        if (Finished)
        {
            return;
        }

        Finished = true;
        TranslationJson.WriteEvent(output, null, new ChatErrorChunk(error), AnthropicChatJsonContext.Default.ChatErrorChunk);
        TranslationJson.WriteDone(output);
    }

    /// <summary>
    /// Real Anthropic starts every block empty (<c>text:""</c>, <c>input:{}</c>) and streams its content as deltas;
    /// Anthropic-compatible vendors may put some or all of it in the start event, so that content is carried too.
    /// </summary>
    private void OnBlockStart(int blockIndex, AnthropicBlock block, IBufferWriter<byte> output)
    {
        Start(output);
        switch (block.Type)
        {
            case "tool_use":
                OnToolUseStart(blockIndex, block, output);
                break;
            case "text" when block.Text is { IsEmpty: false } text:
                WriteDelta(new ChatDelta { Content = text.Decode() }, null, output);
                break;
            case "thinking":
                var opening = block.Thinking is { IsEmpty: false } thinking ? thinking.Decode() : "";
                _thinkingByBlock[blockIndex] = (new ChatThinkingBlock { Type = "thinking", Signature = block.Signature }, new StringBuilder(opening));
                if (opening.Length > 0)
                {
                    WriteDelta(new ChatDelta { ReasoningContent = opening }, null, output);
                }
                break;
            case "redacted_thinking":
                _thinkingByBlock[blockIndex] = (new ChatThinkingBlock { Type = "redacted_thinking", Data = block.Data }, new StringBuilder());
                break;
        }
    }

    /// <summary>A stopped thinking block goes to the client whole, with the signature its deltas ended with, when it has one.</summary>
    private void EndThinking(int blockIndex, IBufferWriter<byte> output)
    {
        if (_thinkingByBlock.Remove(blockIndex, out var thinking) && thinking.Block.IsSigned)
        {
            if (thinking.Block.Type == "thinking")
            {
                thinking.Block.Thinking = RawJsonString.Of(thinking.Text.ToString());
            }
            WriteDelta(new ChatDelta { ThinkingBlocks = [thinking.Block] }, null, output);
        }
    }

    private void OnToolUseStart(int blockIndex, AnthropicBlock block, IBufferWriter<byte> output)
    {
        if (string.IsNullOrEmpty(block.Name))
        {
            Fail(ProtocolErrors.BadGateway, TranslationException.NamelessToolCall, output);
            return;
        }

        // A start event that already holds the whole input is the call's complete arguments: later fragments
        // would append a second JSON text to it.
        var complete = block.Input is JsonObject { Count: > 0 };
        var tool = new ToolBlock(_toolByBlock.Count) { HasArguments = complete, Complete = complete };
        _toolByBlock[blockIndex] = tool;
        var call = new ChatToolCall
        {
            Index = tool.Index,
            Id = block.Id,
            Type = "function",
            Function = new ChatFunctionCall { Name = request.ToolNames.ClientName(block.Name), Arguments = complete ? TranslationJson.ToText(block.Input) : "" },
        };
        WriteDelta(new ChatDelta { ToolCalls = [call] }, null, output);
    }

    private void OnDelta(int blockIndex, AnthropicDelta delta, IBufferWriter<byte> output)
    {
        Start(output);
        ChatDelta? chat = null;
        if (delta.Type == "input_json_delta")
        {
            if (!string.IsNullOrEmpty(delta.PartialJson) && _toolByBlock.TryGetValue(blockIndex, out var tool) && !tool.Complete)
            {
                tool.HasArguments = true;
                chat = ArgumentsDelta(tool, delta.PartialJson);
            }
        }
        else
        {
            Accumulate(blockIndex, delta);
            chat = delta.Type switch
            {
                "text_delta" when !string.IsNullOrEmpty(delta.Text) => new ChatDelta { Content = delta.Text },
                "thinking_delta" when !string.IsNullOrEmpty(delta.Thinking) => new ChatDelta { ReasoningContent = delta.Thinking },
                _ => null,
            };
        }
        if (chat is not null)
        {
            WriteDelta(chat, null, output);
        }
    }

    private void Accumulate(int blockIndex, AnthropicDelta delta)
    {
        if (!_thinkingByBlock.TryGetValue(blockIndex, out var thinking))
        {
            return;
        }
        if (delta.Type == "thinking_delta")
        {
            thinking.Text.Append(delta.Thinking);
        }
        else if (delta.Type == "signature_delta")
        {
            thinking.Block.Signature = delta.Signature;
        }
    }

    /// <summary>A tool call that ends without arguments gets <c>{}</c>, the arguments of a call without parameters.</summary>
    private void EndArguments(int blockIndex, IBufferWriter<byte> output)
    {
        if (_toolByBlock.TryGetValue(blockIndex, out var tool) && !tool.HasArguments)
        {
            tool.HasArguments = true;
            WriteDelta(ArgumentsDelta(tool, "{}"), null, output);
        }
    }

    private static ChatDelta ArgumentsDelta(ToolBlock tool, string arguments) =>
        new() { ToolCalls = [new ChatToolCall { Index = tool.Index, Function = new ChatFunctionCall { Arguments = arguments } }] };

    private void Start(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        WriteDelta(new ChatDelta { Role = "assistant", Content = "" }, null, output);
    }

    private void Finish(IBufferWriter<byte> output)
    {
        if (Finished)
        {
            return;
        }

        foreach (var blockIndex in _toolByBlock.Keys)
        {
            EndArguments(blockIndex, output);
        }

        Finished = true;
        WriteDelta(new ChatDelta(), StopReasons.ToChat(_stopReason), output);
        if (request.IncludeUsage)
        {
            var usage = new ChatChunk { Id = ctx.ResponseId, Created = ctx.CreatedUnixSeconds, Model = ctx.ClientModel, Usage = UsageMapping.ToChat(_usage) };
            TranslationJson.WriteEvent(output, null, usage, AnthropicChatJsonContext.Default.ChatChunk);
        }
        TranslationJson.WriteDone(output);
    }

    private void WriteDelta(ChatDelta delta, string? finishReason, IBufferWriter<byte> output)
    {
        var chunk = new ChatChunk
        {
            Id = ctx.ResponseId,
            Created = ctx.CreatedUnixSeconds,
            Model = ctx.ClientModel,
            Choices = [new ChatChunkChoice { Index = 0, Delta = delta, FinishReason = finishReason }],
        };
        TranslationJson.WriteEvent(output, null, chunk, AnthropicChatJsonContext.Default.ChatChunk);
    }

    /// <summary>message_start carries the input side, message_delta the final counts; a later non-zero value wins.</summary>
    private void MergeUsage(AnthropicUsage? usage)
    {
        if (usage is null)
        {
            return;
        }

        _usage = new AnthropicUsage
        {
            InputTokens = usage.InputTokens > 0 ? usage.InputTokens : _usage.InputTokens,
            CacheCreationInputTokens = usage.CacheCreationInputTokens ?? _usage.CacheCreationInputTokens,
            CacheReadInputTokens = usage.CacheReadInputTokens ?? _usage.CacheReadInputTokens,
            OutputTokens = usage.OutputTokens > 0 ? usage.OutputTokens : _usage.OutputTokens,
        };
    }

    /// <summary>A tool_use block's Chat call index, and whether its arguments have been sent or came whole.</summary>
    private sealed class ToolBlock(int index)
    {
        public int Index => index;

        public bool HasArguments { get; set; }

        public bool Complete { get; init; }
    }
}
