using System.Buffers;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// The output items of a translated stream, written one at a time as OpenAI's own streams do: an item is done
/// (<c>response.output_item.done</c>) before the next is added, at the next <c>output_index</c>. Codex keeps a single
/// active item and gives every delta to it, so an item added while another is open would take the other's deltas.
/// </summary>
internal sealed class StreamedOutput(ResponsesEventWriter events)
{
    private readonly List<ResponseOutputItem> _done = [];

    public ResponsesEventWriter Events => events;

    /// <summary>The item being written, if any.</summary>
    public StreamedItem? Open { get; private set; }

    /// <summary>How many items were added.</summary>
    public int Count { get; private set; }

    /// <summary>The closed items, in output order: the final response's <c>output</c>.</summary>
    public IReadOnlyList<ResponseOutputItem> Done => _done;

    /// <summary>Closes the open item and adds <paramref name="item"/> after it.</summary>
    public StreamedItem Add(ResponseOutputItem item, IBufferWriter<byte> output)
    {
        Close(output);
        var streamed = new StreamedItem();
        streamed.Announce(item, Count++);
        events.Item(output, "response.output_item.added"u8, streamed.OutputIndex, item, done: false);
        Open = streamed;
        return streamed;
    }

    /// <param name="incomplete">The answer stopped while this item was being written (output limit, content filter).</param>
    public void Close(IBufferWriter<byte> output, bool incomplete = false)
    {
        if (Open is null)
        {
            return;
        }

        _done.Add(StreamedItemEvents.Close(events, Open, incomplete, output));
        Open = null;
    }

    /// <summary>The output of a failed response: the items done, and the one open when it failed, "incomplete".</summary>
    public List<ResponseOutputItem> Failed()
    {
        var output = new List<ResponseOutputItem>(_done);
        if (Open is { } open)
        {
            output.Add(open.Complete(incomplete: true));
        }

        return output;
    }
}
