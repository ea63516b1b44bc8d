using System.Text.Json;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// The Responses usage object (https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage),
/// read from a Chat usage object. Codex bills and shows context use from exactly these five numbers.
/// </summary>
internal sealed record ResponsesUsage(long InputTokens, long CachedTokens, long OutputTokens, long ReasoningTokens, long TotalTokens)
{
    /// <summary>
    /// Reads Chat usage; null when the upstream sent none. Cached tokens: <see cref="ChatCachedTokens"/>.
    /// </summary>
    public static ResponsesUsage? FromChat(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var input = usage.Int64("prompt_tokens") ?? 0;
        var output = usage.Int64("completion_tokens") ?? 0;
        var cached = usage.TryGet("prompt_tokens_details", JsonValueKind.Object, out var promptDetails)
            ? promptDetails.Int64("cached_tokens")
            : null;
        var reasoning = usage.TryGet("completion_tokens_details", JsonValueKind.Object, out var completionDetails)
            ? completionDetails.Int64("reasoning_tokens")
            : null;
        return new ResponsesUsage(
            input,
            ChatCachedTokens.Of(cached, usage.Int64("prompt_cache_hit_tokens")) ?? 0,
            output,
            reasoning ?? 0,
            usage.Int64("total_tokens") ?? input + output);
    }

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
