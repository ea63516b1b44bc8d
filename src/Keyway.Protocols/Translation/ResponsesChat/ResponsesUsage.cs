using System.Text.Json;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// The Responses usage object (https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage),
/// read from a Chat usage object. Codex bills and shows context use from exactly these five numbers.
/// </summary>
internal sealed record ResponsesUsage(long InputTokens, long CachedTokens, long OutputTokens, long ReasoningTokens, long TotalTokens)
{
    /// <summary>
    /// Chat usage as <see cref="ChatReader"/> read it (cached tokens under either name, <see cref="ChatCachedTokens"/>);
    /// null when the upstream sent none.
    /// </summary>
    public static ResponsesUsage? FromChat(ChatUsage? usage) => usage is null
        ? null
        : new ResponsesUsage(
            usage.PromptTokens ?? 0,
            usage.PromptTokensDetails?.CachedTokens ?? 0,
            usage.CompletionTokens ?? 0,
            usage.CompletionTokensDetails?.ReasoningTokens ?? 0,
            usage.TotalTokens ?? (usage.PromptTokens ?? 0) + (usage.CompletionTokens ?? 0));

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("input_tokens", InputTokens);
        writer.WriteStartObject("input_tokens_details");
        writer.WriteNumber("cached_tokens", CachedTokens);
        writer.WriteEndObject();
        writer.WriteNumber("output_tokens", OutputTokens);
        writer.WriteStartObject("output_tokens_details");
        writer.WriteNumber("reasoning_tokens", ReasoningTokens);
        writer.WriteEndObject();
        writer.WriteNumber("total_tokens", TotalTokens);
        writer.WriteEndObject();
    }
}
