using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Chat <c>finish_reason</c> (https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices) ⇄
/// Anthropic <c>stop_reason</c> (https://docs.anthropic.com/en/api/messages#response-stop-reason).
/// </summary>
internal static class StopReasons
{
    /// <summary>
    /// content_filter becomes <c>refusal</c>, Anthropic's "streaming classifiers intervened" reason; an unknown or
    /// missing reason becomes <c>end_turn</c>. A "stop" whose matched stop string the upstream named (vLLM's
    /// <c>stop_reason</c>, SGLang's <c>matched_stop</c>) becomes <c>stop_sequence</c>.
    /// </summary>
    public static string ToAnthropic(string? finishReason, string? matchedStop) => finishReason switch
    {
        "stop" when matchedStop is not null => "stop_sequence",
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    /// <summary>pause_turn (a server tool loop paused) has no Chat counterpart: the turn did end, so "stop".</summary>
    public static string ToChat(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    /// <summary>The matched stop string, when the upstream named one (a number is a stop token id: ignored).</summary>
    public static string? MatchedStop(JsonNode? stopReason, JsonNode? matchedStop) =>
        AsString(stopReason) ?? AsString(matchedStop);

    private static string? AsString(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
