using System.Buffers;
using Keyway.Protocols.Sse;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// An Anthropic Messages stream (https://docs.anthropic.com/en/docs/build-with-claude/streaming) as the Chat stream an
/// OpenAI upstream sends (https://platform.openai.com/docs/api-reference/chat-streaming): a role chunk, content and
/// <c>reasoning_content</c> deltas, tool_calls deltas (index, id and name first, then argument fragments), the
/// finish_reason chunk, a usage-only chunk (<c>choices: []</c>) when the Chat request asked for
/// <c>stream_options.include_usage</c> (<see cref="TranslatedRequest.IncludeUsage"/>), then <c>data: [DONE]</c>.
/// An error becomes an <c>{"error":…}</c> chunk followed by [DONE].
/// </summary>
public sealed class AnthropicStreamToChat(TranslatedRequest request, TranslationContext ctx) : IStreamTranslator
{
    private readonly Dictionary<int, int> _toolIndexByBlock = [];
    private bool _started;
    private bool _finished;
    private string? _stopReason;
    private AnthropicUsage _usage = new();

    public void OnEvent(in SseEvent upstreamEvent, IBufferWriter<byte> output)
    {
        if (_finished || !upstreamEvent.HasData)
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
            case "content_block_start" when e.ContentBlock?.Type == "tool_use" && e.Index is { } blockIndex:
                OnToolUseStart(blockIndex, e.ContentBlock, output);
                break;
            case "content_block_delta" when e.Delta is not null:
                OnDelta(e.Index ?? -1, e.Delta, output);
                break;
            case "message_delta":
                _stopReason = e.Delta?.StopReason ?? _stopReason;
                MergeUsage(e.Usage);
                break;
            case "message_stop":
                Finish(output);
                break;
            case "error":
                Fail(e.Error?.Message ?? "The upstream reported an error.", output);
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
            Fail("The upstream stream ended before any answer.", output);
        }
    }

    public void Fail(string message, IBufferWriter<byte> output)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        TranslationJson.WriteEvent(output, null, new ChatErrorChunk(new ChatError(message, "upstream_error")), AnthropicChatJsonContext.Default.ChatErrorChunk);
        TranslationJson.WriteDone(output);
    }

    private void OnToolUseStart(int blockIndex, AnthropicBlock block, IBufferWriter<byte> output)
    {
        Start(output);
        var toolIndex = _toolIndexByBlock.Count;
        _toolIndexByBlock[blockIndex] = toolIndex;
        var call = new ChatToolCall
        {
            Index = toolIndex,
            Id = block.Id,
            Type = "function",
            Function = new ChatFunctionCall { Name = request.ToolNames.ClientName(block.Name ?? ""), Arguments = "" },
        };
        WriteDelta(new ChatDelta { ToolCalls = [call] }, null, output);
    }

    private void OnDelta(int blockIndex, AnthropicDelta delta, IBufferWriter<byte> output)
    {
        Start(output);
        var chat = delta.Type switch
        {
            "text_delta" when !string.IsNullOrEmpty(delta.Text) => new ChatDelta { Content = delta.Text },
            "thinking_delta" when !string.IsNullOrEmpty(delta.Thinking) => new ChatDelta { ReasoningContent = delta.Thinking },
            "input_json_delta" when !string.IsNullOrEmpty(delta.PartialJson) && _toolIndexByBlock.TryGetValue(blockIndex, out var toolIndex) =>
                new ChatDelta { ToolCalls = [new ChatToolCall { Index = toolIndex, Function = new ChatFunctionCall { Arguments = delta.PartialJson } }] },
            _ => null,
        };
        if (chat is not null)
        {
            WriteDelta(chat, null, output);
        }
    }

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
        if (_finished)
        {
            return;
        }

        _finished = true;
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
}
