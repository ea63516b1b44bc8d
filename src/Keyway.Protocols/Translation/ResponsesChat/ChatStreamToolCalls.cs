using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>The streamed tool calls of a Chat answer, each an output item (matched as <see cref="ChatToolCallMatcher{TCall}"/> says).</summary>
internal sealed class ChatStreamToolCalls
{
    private readonly ChatToolCallMatcher<StreamedItem> _matcher = new((index, id) => new StreamedItem { ChatIndex = index, CallId = id });

    public bool Any => _matcher.Calls.Count > 0;

    /// <summary>Whether a call was never announced: it never got a name.</summary>
    public bool AnyUnannounced => _matcher.Calls.Exists(call => call.Announced is null);

    public StreamedItem Resolve(ChatToolCall toolCall) => _matcher.Resolve(toolCall);
}
