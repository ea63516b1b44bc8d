using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Prompt-cache breakpoints on a request translated for an Anthropic-protocol upstream. Anthropic caches a prompt's
/// prefix only up to a block marked with <c>cache_control</c> (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching);
/// a Chat or Responses client has no way to mark one, so without breakpoints every turn of an agent's conversation
/// would pay the whole prompt again, where OpenAI caches it by itself. When the client marked none, three are placed
/// where Claude Code and Anthropic's automatic caching put them (at most four are allowed): the last tool, the last
/// system block (together the stable tools-and-instructions prefix) and the last block of the last message (the whole
/// conversation so far, read back at the next turn). A prompt shorter than the model's cacheable minimum is not cached
/// and costs nothing extra; a cached prefix is written at 1.25× and read at 0.1× of the input price.
/// </summary>
internal static class CacheBreakpoints
{
    /// <summary>The breakpoint a Chat content part carries as <c>cache_control</c> (<c>{"type":"ephemeral","ttl"?}</c>), or null.</summary>
    public static AnthropicCacheControl? Of(JsonObject part) =>
        part["cache_control"] is JsonObject control && TranslationJson.StringOf(control["type"]) is { Length: > 0 } type
            ? new AnthropicCacheControl(type, TranslationJson.StringOf(control["ttl"]))
            : null;

    /// <summary>Places the three breakpoints, unless the request carries one of its own: the client then decided.</summary>
    public static void PlaceWhereNone(AnthropicRequest request)
    {
        var messages = request.Messages ?? [];
        if (Marked(request.System) || messages.Any(message => Marked(message.Content)))
        {
            return;
        }
        if (request.Tools is [.., var lastTool])
        {
            lastTool.CacheControl = AnthropicCacheControl.Ephemeral;
        }
        if (request.System is [.., var lastSystem])
        {
            lastSystem.CacheControl = AnthropicCacheControl.Ephemeral;
        }
        if (messages is [.., { Content: [.., var lastBlock] }])
        {
            lastBlock.CacheControl = AnthropicCacheControl.Ephemeral;
        }
    }

    /// <summary>Whether a block, or one inside it (a tool result's), carries a breakpoint.</summary>
    private static bool Marked(List<AnthropicBlock>? blocks) =>
        blocks?.Any(block => block.CacheControl is not null || Marked(block.Content)) == true;
}
