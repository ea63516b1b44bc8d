using System.Buffers;
using System.Text;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>How a client protocol writes one streamed tool call: opened once named, its arguments, then closed.</summary>
internal interface IChatToolCallWriter
{
    /// <summary>Opens the call's block or item (whatever else is open closes first).</summary>
    void Open(ChatStreamedCall call, IBufferWriter<byte> output);

    /// <summary>Arguments text of the open call not written before (possibly empty).</summary>
    void Arguments(string fresh, IBufferWriter<byte> output);

    /// <param name="incomplete">The answer stopped (cut or failed) while the upstream was still writing this call.</param>
    void Close(IBufferWriter<byte> output, bool incomplete);
}

/// <summary>A tool call assembled from a Chat stream's fragments.</summary>
internal sealed class ChatStreamedCall(int index) : IChatStreamedCall
{
    public int ChatIndex { get; } = index;
    public string? CallId { get; set; }
    public string? Name { get; set; }
    public StringBuilder Arguments { get; } = new();
    public int Emitted { get; set; }
    public bool Opened { get; set; }
    public bool Done { get; set; }
}

/// <summary>
/// Assembles streamed Chat tool-call fragments (matched to calls as <see cref="ChatToolCallMatcher{TCall}"/> says) into
/// the client protocol's tool calls (Anthropic tool_use blocks, Responses function_call items). One call is streamed
/// live; a fragment of another call is held back until the live call's arguments form complete JSON (then the live
/// call closes and the next one opens with what was held). So calls whose chunks interleave still come out whole, each
/// in its own block or item, one open at a time, and none opens before its call has a name.
/// </summary>
internal sealed class ChatStreamToolCalls(IChatToolCallWriter writer)
{
    private readonly ChatToolCallMatcher<ChatStreamedCall> _matcher = new((index, id) => new ChatStreamedCall(index) { CallId = id });
    private ChatStreamedCall? _live;

    public bool Any => _matcher.Calls.Count > 0;

    public void OnFragment(ChatToolCall fragment, IBufferWriter<byte> output)
    {
        var call = _matcher.Resolve(fragment);
        if (call.Done)
        {
            return;
        }

        if (!call.Opened && !string.IsNullOrEmpty(fragment.Function?.Name))
        {
            call.Name = fragment.Function.Name;
        }

        call.Arguments.Append(fragment.Function?.Arguments);
        Pump(output);
    }

    /// <summary>
    /// Closes the live call and writes every held-back call whole; false when a call never got a name (nothing can run
    /// it: the caller fails the stream, <see cref="TranslationException.NamelessToolCall"/>). At the end of an answer
    /// cut short or failed, <paramref name="incomplete"/> closes as incomplete each of them whose arguments are not whole
    /// JSON (the upstream was writing the live call and those held back behind it at once), and the last one, which it
    /// was writing when it stopped.
    /// </summary>
    public bool Flush(IBufferWriter<byte> output, bool incomplete = false)
    {
        // Loops rather than LINQ: a text delta flushes too, so this runs for most events of a translated stream.
        foreach (var call in _matcher.Calls)
        {
            if (!call.Opened && call.Name is not null)
            {
                CloseLive(output, incomplete && _live is { } live && !AnthropicBlocks.IsCompleteJson(live.Arguments.ToString()));
                Open(call, output);
            }
        }

        CloseLive(output, incomplete);

        var named = true;
        foreach (var call in _matcher.Calls)
        {
            named &= call.Opened || call.Name is not null;
            call.Done = true;
        }

        return named;
    }

    private void Pump(IBufferWriter<byte> output)
    {
        if (_live is not null)
        {
            EmitNewArguments(_live, output);
        }

        // Calls open in the order they first appeared; a call still waiting for its name holds back the ones after it.
        while (_matcher.Calls.Find(c => !c.Opened) is { Name: not null } next
            && (_live is null || AnthropicBlocks.IsCompleteJson(_live.Arguments.ToString())))
        {
            CloseLive(output, incomplete: false);
            Open(next, output);
        }
    }

    private void Open(ChatStreamedCall call, IBufferWriter<byte> output)
    {
        call.Opened = true;
        _live = call;
        writer.Open(call, output);
        EmitNewArguments(call, output);
    }

    private void CloseLive(IBufferWriter<byte> output, bool incomplete)
    {
        if (_live is null)
        {
            return;
        }

        writer.Close(output, incomplete);
        _live.Done = true;
        _live = null;
    }

    private void EmitNewArguments(ChatStreamedCall call, IBufferWriter<byte> output)
    {
        var fresh = call.Arguments.ToString(call.Emitted, call.Arguments.Length - call.Emitted);
        call.Emitted = call.Arguments.Length;
        writer.Arguments(fresh, output);
    }
}
