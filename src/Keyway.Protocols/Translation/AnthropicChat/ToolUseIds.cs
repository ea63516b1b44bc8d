using System.Buffers;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Anthropic takes tool_use ids of letters, digits, <c>_</c> and <c>-</c> only (https://docs.anthropic.com/en/api/messages:
/// "messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'"), while a Chat or Responses history
/// holds the ids of whichever upstream made the calls: Kimi's <c>functions.get_weather:0</c>, ids with dots or colons
/// from other vendors. Such an id becomes its valid characters (the others as <c>_</c>) plus a hash of the whole id, the
/// same in its tool_use and its tool_results and on every turn; one that would still equal another id of the request
/// gets a counter. Nothing is mapped back: an Anthropic answer only carries the new ids Anthropic makes itself.
/// </summary>
internal static class ToolUseIds
{
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    public static void MakeValid(List<AnthropicMessage> messages)
    {
        // Nearly every history holds valid ids only (OpenAI's call_…, Anthropic's toolu_…): one scan, no copy.
        if (Blocks(messages).All(block => IsValid(IdOf(block))))
        {
            return;
        }

        var taken = Blocks(messages).Select(IdOf).OfType<string>().Where(IsValid).ToHashSet(StringComparer.Ordinal);
        var replaced = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var block in Blocks(messages))
        {
            if (IdOf(block) is not { } id || IsValid(id))
            {
                continue;
            }

            if (!replaced.TryGetValue(id, out var valid))
            {
                valid = replaced[id] = Replacement(id, taken);
            }

            if (block.Type == "tool_use")
            {
                block.Id = valid;
            }
            else
            {
                block.ToolUseId = valid;
            }
        }
    }

    private static IEnumerable<AnthropicBlock> Blocks(List<AnthropicMessage> messages) =>
        messages.SelectMany(message => message.Content!).Where(block => block.Type is "tool_use" or "tool_result");

    private static string? IdOf(AnthropicBlock block) => block.Type == "tool_use" ? block.Id : block.ToolUseId;

    /// <summary>Valid, or nothing to fix: a block without an id is Anthropic's to refuse, there is no pair to keep.</summary>
    private static bool IsValid(string? id) => string.IsNullOrEmpty(id) || id.AsSpan().IndexOfAnyExcept(Allowed) < 0;

    private static string Replacement(string id, HashSet<string> taken)
    {
        var kept = string.Create(id.Length, id, static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Allowed.Contains(source[i]) ? source[i] : '_';
            }
        });
        var stem = $"{kept}_{StableHash.Hex8(id)}";
        var candidate = stem;
        for (var counter = 2; !taken.Add(candidate); counter++)
        {
            candidate = $"{stem}_{counter}";
        }

        return candidate;
    }
}
