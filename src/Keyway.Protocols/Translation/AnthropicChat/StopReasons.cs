using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Chat <c>finish_reason</c> (https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices) ⇄
/// Anthropic <c>stop_reason</c> (https://docs.anthropic.com/en/api/handling-stop-reasons). Vendors add reasons of their own
/// (https://docs.bigmodel.cn/api-reference/模型-api/对话补全, GLM's <c>finish_reason</c>): <c>sensitive</c>, the safety review
/// blocked the content; <c>network_error</c>, model inference failed mid-answer (<see cref="OpenAI.BrokenOffAnswer"/>: an
/// error, not an end); and z.ai's
/// <c>model_context_window_exceeded</c> (anomalyco/opencode#18813), the answer reached the context window. None of them
/// is a normal end.
/// </summary>
internal static class StopReasons
{
    /// <summary>
    /// content_filter (and GLM's <c>sensitive</c>) becomes <c>refusal</c>, Anthropic's "streaming classifiers intervened"
    /// reason; a context window reached keeps Anthropic's own name for it, <c>model_context_window_exceeded</c>; an unknown
    /// or missing reason becomes <c>end_turn</c>. A "stop" whose matched stop string the upstream named (vLLM's
    /// <c>stop_reason</c>, SGLang's <c>matched_stop</c>) becomes <c>stop_sequence</c>.
    /// </summary>
    public static string ToAnthropic(string? finishReason, string? matchedStop) => finishReason switch
    {
        "stop" when matchedStop is not null => "stop_sequence",
        "length" => "max_tokens",
        "model_context_window_exceeded" => "model_context_window_exceeded",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" or "sensitive" => "refusal",
        _ => "end_turn",
    };

    /// <summary>
    /// OpenAI's own reason for a vendor's: <c>sensitive</c> is <c>content_filter</c>; <c>model_context_window_exceeded</c>
    /// is <c>length</c>, OpenAI's one reason for an answer cut by a token limit (as Anthropic's reason of that name
    /// becomes in <see cref="ToChat"/>).
    /// </summary>
    public static string? ToOpenAI(string? finishReason) => finishReason switch
    {
        "sensitive" => "content_filter",
        "model_context_window_exceeded" => "length",
        _ => finishReason,
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
