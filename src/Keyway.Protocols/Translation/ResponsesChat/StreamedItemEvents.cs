using System.Buffers;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>The closing events of one streamed item, ending with <c>response.output_item.done</c> carrying the complete item.</summary>
internal static class StreamedItemEvents
{
    public static ResponseOutputItem Close(ResponsesEventWriter events, StreamedItem item, bool incomplete, IBufferWriter<byte> output)
    {
        var complete = item.Complete(incomplete);
        switch (complete)
        {
            case ReasoningOutputItem reasoning:
                events.SummaryText(output, "response.reasoning_summary_text.done"u8, item, "text"u8, reasoning.Text);
                events.SummaryPart(output, "response.reasoning_summary_part.done"u8, item, reasoning.Text);
                break;
            case MessageOutputItem message:
                events.Text(output, "response.output_text.done"u8, item, "text"u8, message.Text, message.Logprobs);
                events.TextPart(output, "response.content_part.done"u8, item, message.Text, message.Logprobs);
                break;
            case ToolCallOutputItem { IsCustom: true } custom:
                // The raw input is only known once the JSON arguments are complete, so it arrives as one delta.
                var input = custom.CustomInput;
                if (input.Length > 0)
                {
                    events.ToolInput(output, "response.custom_tool_call_input.delta"u8, item, "delta"u8, input);
                }

                events.ToolInput(output, "response.custom_tool_call_input.done"u8, item, "input"u8, input);
                break;
            case ToolCallOutputItem call:
                events.ToolInput(output, "response.function_call_arguments.done"u8, item, "arguments"u8, call.Arguments);
                break;
        }

        events.Item(output, "response.output_item.done"u8, item.OutputIndex, complete, done: true);
        return complete;
    }
}
