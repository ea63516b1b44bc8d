using System.Buffers;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>Writes a streamed Chat tool call as an Anthropic tool_use block, with the client's tool name.</summary>
internal sealed class ToolUseBlockWriter(AnthropicBlockWriter blocks, ToolNameMap names, string responseId) : IChatToolCallWriter
{
    public void Open(ChatStreamedCall call, IBufferWriter<byte> output) =>
        blocks.StartToolUse(call.CallId ?? $"toolu_{responseId}_{call.ChatIndex}", names.ClientName(call.Name!), output);

    public void Arguments(string fresh, IBufferWriter<byte> output) => blocks.ToolInput(fresh, output);

    /// <summary>
    /// A tool_use block has no status: Anthropic says a cut answer once, for all its blocks, in the message's
    /// stop_reason (max_tokens), and an error event ends a failed one.
    /// </summary>
    public void Close(IBufferWriter<byte> output, bool incomplete) => blocks.Close(output);
}
