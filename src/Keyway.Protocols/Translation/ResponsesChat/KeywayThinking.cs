using System.Text.Json;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Anthropic's signed thinking blocks (the Chat hub's <c>thinking_blocks</c>) in the <c>encrypted_content</c> of a
/// Responses reasoning item (https://platform.openai.com/docs/api-reference/responses/object, OpenAI's own opaque field
/// for what the next turn needs of the reasoning). Anthropic refuses a tool loop's next turn when thinking is on and its
/// blocks do not come back signed ("Preserving thinking blocks",
/// https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking); Codex sends every reasoning item back with
/// its <c>encrypted_content</c>, and a stored response keeps it for <c>previous_response_id</c>.
/// </summary>
public static class KeywayThinking
{
    /// <summary>What Keyway's reasoning <c>encrypted_content</c> starts with (version 1: base64 of the JSON array of blocks).</summary>
    public const string ContentPrefix = "keyway-thinking-v1:";

    internal static string Seal(List<ChatThinkingBlock> blocks) =>
        KeywaySealedContent.Seal(ContentPrefix, TranslationJson.Serialize(blocks, AnthropicChatJsonContext.Default.ListChatThinkingBlock));

    /// <summary>The blocks in Keyway's <paramref name="encryptedContent"/>, as JSON array elements; false for anyone else's (OpenAI's).</summary>
    internal static bool TryOpen(string? encryptedContent, out IReadOnlyList<JsonElement> blocks)
    {
        const string Damaged = "A reasoning item's encrypted_content is damaged: send it back as Keyway wrote it.";
        blocks = [];
        if (!KeywaySealedContent.TryOpen(encryptedContent, ContentPrefix, Damaged, out var json))
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            blocks = document.RootElement.ValueKind == JsonValueKind.Array
                ? [.. document.RootElement.EnumerateArray().Select(block => block.Clone())]
                : throw new TranslationException(Damaged);
        }
        catch (JsonException)
        {
            throw new TranslationException(Damaged);
        }
        return true;
    }
}
