using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Matches streamed tool-call deltas to calls. Chat keys a call by <c>index</c>, but some upstreams send parallel
/// calls all with index 0 and distinct ids (a known way to break clients), and some omit the index: a new id
/// always starts a new call, a delta without id continues the call at its index (or the latest call).
/// </summary>
internal sealed class ChatStreamToolCalls
{
    private readonly List<StreamedItem> _calls = [];

    public bool Any => _calls.Count > 0;

    public IEnumerable<StreamedItem> Unannounced() => _calls.Where(call => call.Announced is null).ToList();

    public StreamedItem Resolve(ChatToolCall toolCall)
    {
        var id = toolCall.Id is { Length: > 0 } value ? value : null;
        var index = toolCall.Index;
        var atIndex = index is null ? null : _calls.LastOrDefault(call => call.ChatIndex == index);
        if (id is not null)
        {
            if (_calls.Find(call => call.CallId == id) is { } known)
            {
                return known;
            }

            if (atIndex is { CallId: null })
            {
                atIndex.CallId = id;
                return atIndex;
            }

            return Add(index ?? _calls.Count, id);
        }

        return atIndex ?? (index is null && _calls.Count > 0 ? _calls[^1] : Add(index ?? 0, null));
    }

    private StreamedItem Add(int chatIndex, string? id)
    {
        var call = new StreamedItem { ChatIndex = chatIndex, CallId = id };
        _calls.Add(call);
        return call;
    }
}
