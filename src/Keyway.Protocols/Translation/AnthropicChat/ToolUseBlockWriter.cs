using System.Buffers;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>Writes a streamed Chat tool call as an Anthropic tool_use block, with the client's tool name.</summary>
internal sealed class ToolUseBlockWriter(AnthropicBlockWriter blocks, ToolNameMap names, string responseId) : IChatToolCallWriter
{
    public void Open(ChatStreamedCall call, IBufferWriter<byte> output) =>
        blocks.StartToolUse(call.CallId ?? $"toolu_{responseId}_{call.ChatIndex}", names.ClientName(call.Name!), output);

    public void Arguments(string fresh, IBufferWriter<byte> output) => blocks.ToolInput(fresh, output);

    public void Close(IBufferWriter<byte> output) => blocks.Close(output);
}
