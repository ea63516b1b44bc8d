using System.Text;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// Server-side compaction (https://developers.openai.com/api/docs/guides/compaction) done by Keyway on a translated route.
/// Codex with a provider named "OpenAI" (also the built-in one pointed at a gateway with <c>openai_base_url</c>) ends a
/// request with a <c>compaction_trigger</c> input item and expects one opaque <c>compaction</c> output item, which it
/// sends back as the history of its later requests; it never falls back to compacting locally. OpenAI's item holds a
/// summary only OpenAI can read. Here the route's own model writes the summary (the trigger becomes a request for one),
/// the answer carries it in a <c>compaction</c> item whose <c>encrypted_content</c> is Keyway's encoding of it, and a
/// later request's item of that kind is read back as a user message holding the summary.
/// </summary>
public static class KeywayCompaction
{
    /// <summary>What a Keyway compaction item's <c>encrypted_content</c> starts with (version 1: base64 of the UTF-8 summary).</summary>
    public const string ContentPrefix = "keyway-compaction-v1:";

    /// <summary>The user message that takes the trigger's place: the request for the summary.</summary>
    public const string Prompt =
        "Context checkpoint: this conversation is about to be compacted to free the context window. Write a handoff summary "
        + "that lets the model continuing the work do so without the earlier messages: the user's goal and requirements; what "
        + "has been done so far (files read or changed, commands run and what they showed); the decisions taken and why; what "
        + "is still open or failing; and the concrete next steps. Keep file paths, identifiers, commands and error messages "
        + "verbatim. Answer with the summary only.";

    /// <summary>What precedes the summary in the user message a Keyway compaction item is read back as.</summary>
    public const string SummaryPreface = "Summary of the earlier part of this conversation, written when it was compacted:\n\n";

    /// <summary>The <c>encrypted_content</c> carrying <paramref name="summary"/>.</summary>
    public static string Seal(string summary) => KeywaySealedContent.Seal(ContentPrefix, Encoding.UTF8.GetBytes(summary));

    /// <summary>The summary in a Keyway compaction item's <paramref name="encryptedContent"/>; false for anyone else's (OpenAI's).</summary>
    public static bool TryOpen(string? encryptedContent, out string summary)
    {
        var opened = KeywaySealedContent.TryOpen(
            encryptedContent, ContentPrefix, "A compaction item's encrypted_content is damaged: send it back as Keyway wrote it.", out var bytes);
        summary = Encoding.UTF8.GetString(bytes);
        return opened;
    }
}
