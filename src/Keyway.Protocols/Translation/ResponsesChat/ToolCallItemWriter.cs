using System.Buffers;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Writes a streamed Chat tool call as a <c>function_call</c> item with its argument deltas, or a
/// <c>custom_tool_call</c> whose raw input is written when it closes (it is known only once the JSON arguments are whole).
/// </summary>
internal sealed class ToolCallItemWriter(StreamedOutput items, TranslationContext ctx, ToolNameMap toolNames) : IChatToolCallWriter
{
    public void Open(ChatStreamedCall call, IBufferWriter<byte> output) =>
        items.Add(ToolCallItem.Create(ctx, toolNames, call.CallId, call.ChatIndex, call.Name!, ""), output);

    public void Arguments(string fresh, IBufferWriter<byte> output)
    {
        if (fresh.Length == 0 || items.Open is not { } item)
        {
            return;
        }

        item.Append(fresh);
        if (!item.IsCustomToolCall)
        {
            items.Events.ToolInput(output, "response.function_call_arguments.delta"u8, item, "delta"u8, fresh);
        }
    }

    public void Close(IBufferWriter<byte> output, bool incomplete) => items.Close(output, incomplete);
}
