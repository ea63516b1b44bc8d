using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>The streamed tool calls of a Chat answer, each an output item (matched as <see cref="ChatToolCallMatcher{TCall}"/> says).</summary>
internal sealed class ChatStreamToolCalls
{
    private readonly ChatToolCallMatcher<StreamedItem> _matcher = new((index, id) => new StreamedItem { ChatIndex = index, CallId = id });

    public bool Any => _matcher.Calls.Count > 0;

    public IEnumerable<StreamedItem> Unannounced() => _matcher.Calls.Where(call => call.Announced is null).ToList();

    public StreamedItem Resolve(ChatToolCall toolCall) => _matcher.Resolve(toolCall);
}
