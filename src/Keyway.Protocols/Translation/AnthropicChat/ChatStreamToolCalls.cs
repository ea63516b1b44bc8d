using System.Buffers;
using System.Text;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Assembles streamed Chat tool-call fragments (matched to calls as <see cref="ChatToolCallMatcher{TCall}"/> says) into
/// Anthropic tool_use blocks. One call
/// is streamed live; a fragment of another call is held back until the live call's arguments form complete JSON
/// (then the live block closes and the next one opens with what was held). So calls whose chunks interleave still
/// come out whole, each in its own block, and a block never opens before its call has a name.
/// </summary>
internal sealed class ChatStreamToolCalls(AnthropicBlockWriter blocks, ToolNameMap names, string responseId)
{
    private readonly ChatToolCallMatcher<PendingCall> _matcher = new((index, id) => new PendingCall(index) { CallId = id });
    private PendingCall? _live;

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
    /// it: the caller fails the stream, <see cref="TranslationException.NamelessToolCall"/>).
    /// </summary>
    public bool Flush(IBufferWriter<byte> output)
    {
        CloseLive(output);
        // Loops rather than LINQ: a text delta flushes too, so this runs for most events of a translated stream.
        foreach (var call in _matcher.Calls)
        {
            if (!call.Done && call.Name is not null)
            {
                Open(call, output);
                CloseLive(output);
            }
        }

        var named = true;
        foreach (var call in _matcher.Calls)
        {
            named &= call.Done || call.Name is not null;
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
            CloseLive(output);
            Open(next, output);
        }
    }

    private void Open(PendingCall call, IBufferWriter<byte> output)
    {
        call.Opened = true;
        _live = call;
        blocks.StartToolUse(call.CallId ?? $"toolu_{responseId}_{call.ChatIndex}", names.ClientName(call.Name!), output);
        EmitNewArguments(call, output);
    }

    private void CloseLive(IBufferWriter<byte> output)
    {
        if (_live is null)
        {
            return;
        }

        blocks.Close(output);
        _live.Done = true;
        _live = null;
    }

    private void EmitNewArguments(PendingCall call, IBufferWriter<byte> output)
    {
        var fresh = call.Arguments.ToString(call.Emitted, call.Arguments.Length - call.Emitted);
        call.Emitted = call.Arguments.Length;
        blocks.ToolInput(fresh, output);
    }

    private sealed class PendingCall(int index) : IChatStreamedCall
    {
        public int ChatIndex { get; } = index;
        public string? CallId { get; set; }
        public string? Name { get; set; }
        public StringBuilder Arguments { get; } = new();
        public int Emitted { get; set; }
        public bool Opened { get; set; }
        public bool Done { get; set; }
    }
}
