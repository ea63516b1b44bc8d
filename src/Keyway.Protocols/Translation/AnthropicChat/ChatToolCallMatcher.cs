namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>A tool call assembled from a Chat stream's fragments: the upstream's <c>index</c> and id.</summary>
internal interface IChatStreamedCall
{
    int ChatIndex { get; }

    string? CallId { get; set; }
}

/// <summary>
/// Matches streamed Chat tool-call fragments to calls. Chat keys a call by <c>index</c>, but some upstreams send parallel
/// calls all with index 0 and distinct ids (a known way to break clients: Claude Code stopped on it behind ccNexus, PR#89),
/// and some omit the index: a new id always starts a new call, a fragment without id continues the call at its index
/// (or the latest call).
/// </summary>
internal sealed class ChatToolCallMatcher<TCall>(Func<int, string?, TCall> create)
    where TCall : class, IChatStreamedCall
{
    /// <summary>The calls in the order they first appeared.</summary>
    public List<TCall> Calls { get; } = [];

    public TCall Resolve(ChatToolCall fragment)
    {
        var id = fragment.Id is { Length: > 0 } value ? value : null;
        var index = fragment.Index;
        var atIndex = index is null ? null : Calls.FindLast(call => call.ChatIndex == index);
        if (id is not null)
        {
            if (Calls.Find(call => call.CallId == id) is { } known)
            {
                return known;
            }

            if (atIndex is { CallId: null })
            {
                atIndex.CallId = id;
                return atIndex;
            }

            return Add(index ?? Calls.Count, id);
        }

        return atIndex ?? (index is null && Calls.Count > 0 ? Calls[^1] : Add(index ?? 0, null));
    }

    private TCall Add(int chatIndex, string? id)
    {
        var call = create(chatIndex, id);
        Calls.Add(call);
        return call;
    }
}
