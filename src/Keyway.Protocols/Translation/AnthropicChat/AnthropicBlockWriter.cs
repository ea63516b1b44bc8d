using System.Buffers;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Writes Anthropic content-block events with the grammar clients check: one block open at a time, every block
/// started before its deltas and stopped before the next starts, indices 0, 1, 2… in order
/// (https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types). Claude Code fails with
/// "Content block not found" when a delta names a block that is not open.
/// </summary>
internal sealed class AnthropicBlockWriter
{
    private string? _openType;
    private int _nextIndex;

    public void Text(string text, IBufferWriter<byte> output)
    {
        Ensure("text", output);
        TranslationJson.WriteBlockDelta(output, _nextIndex - 1, "text_delta"u8, "text"u8, text);
    }

    public void Thinking(string thinking, IBufferWriter<byte> output)
    {
        Ensure("thinking", output);
        TranslationJson.WriteBlockDelta(output, _nextIndex - 1, "thinking_delta"u8, "thinking"u8, thinking);
    }

    public void StartToolUse(string id, string clientName, IBufferWriter<byte> output)
    {
        Close(output);
        Start(AnthropicBlocks.ToolUseStart(id, clientName), output);
    }

    public void ToolInput(string partialJson, IBufferWriter<byte> output)
    {
        if (partialJson.Length > 0 && _openType == "tool_use")
        {
            TranslationJson.WriteBlockDelta(output, _nextIndex - 1, "input_json_delta"u8, "partial_json"u8, partialJson);
        }
    }

    public void Close(IBufferWriter<byte> output)
    {
        if (_openType is null)
        {
            return;
        }

        TranslationJson.WriteEvent(output, "content_block_stop", new ContentBlockStopEvent(_nextIndex - 1), AnthropicChatJsonContext.Default.ContentBlockStopEvent);
        _openType = null;
    }

    private void Ensure(string type, IBufferWriter<byte> output)
    {
        if (_openType == type)
        {
            return;
        }

        Close(output);
        Start(type == "text" ? AnthropicBlocks.Text("") : AnthropicBlocks.Thinking(""), output);
    }

    private void Start(AnthropicBlock block, IBufferWriter<byte> output)
    {
        TranslationJson.WriteEvent(output, "content_block_start", new ContentBlockStartEvent(_nextIndex, block), AnthropicChatJsonContext.Default.ContentBlockStartEvent);
        _openType = block.Type;
        _nextIndex++;
    }
}
