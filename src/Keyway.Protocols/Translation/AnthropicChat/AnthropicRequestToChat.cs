using System.Text.Json.Nodes;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// An Anthropic Messages request (https://docs.anthropic.com/en/api/messages) as an OpenAI Chat Completions request
/// (https://platform.openai.com/docs/api-reference/chat/create). Mapped: <c>system</c>, messages with text, image,
/// tool_use, tool_result and thinking blocks, <c>tools</c>, <c>tool_choice</c>, <c>max_tokens</c>,
/// <c>stop_sequences</c>, <c>temperature</c>, <c>top_p</c>, <c>metadata.user_id</c>, <c>stream</c>,
/// <c>thinking</c> and <c>output_config.effort</c> as <c>reasoning_effort</c> (and thinking on or off in the vendor's
/// own switch, <see cref="TranslationContext.ChatThinkingSwitch"/>; for MiniMax <c>reasoning_split</c>,
/// <see cref="TranslationContext.ChatReasoningSplit"/>), <c>output_config.format</c> (<see cref="StructuredOutput"/>); as <see cref="TranslationContext.ChatMaxCompletionTokens"/> and
/// <see cref="TranslationContext.ChatFixedSampling"/> say, <c>max_tokens</c> becomes <c>max_completion_tokens</c> and
/// <c>temperature</c>, <c>top_p</c> and <c>stop_sequences</c> are left out (OpenAI's reasoning models refuse them).
/// Dropped on purpose, having no Chat counterpart: <c>top_k</c>, <c>cache_control</c>, <c>service_tier</c>,
/// <c>container</c>, <c>mcp_servers</c>, <c>context_management</c>, citations, document and search_result blocks,
/// redacted_thinking blocks, and Anthropic server tools (web_search_*, web_fetch_*, code_execution_*, bash_*,
/// text_editor_*, computer_*, memory_*: any tool with a <c>type</c> other than "custom").
/// </summary>
public static class AnthropicRequestToChat
{
    /// <summary>A thinking budget below this many tokens asks for "low" reasoning effort.</summary>
    public const int MediumEffortBudget = 4096;

    /// <summary>A thinking budget of at least this many tokens asks for "high" reasoning effort.</summary>
    public const int HighEffortBudget = 16384;

    /// <summary>
    /// The longest Chat <c>user</c>: OpenAI refuses a longer one ("Invalid 'user': string too long. Expected a string with
    /// maximum length 64", and the same limit on its successor <c>safety_identifier</c>), OpenRouter one over 128. Claude
    /// Code's <c>metadata.user_id</c> (its device, account and session ids) runs to 150 characters or more, so a longer id
    /// is cut with a stable hash suffix (<see cref="StableHash.Shorten"/>): one id stays one user, two stay two.
    /// </summary>
    public const int MaxUserLength = 64;

    public static TranslatedRequest Translate(ReadOnlyMemory<byte> anthropicRequest, TranslationContext ctx)
    {
        var request = TranslationJson.Parse(anthropicRequest, AnthropicChatJsonContext.Default.AnthropicRequest, "Anthropic request body");
        var stream = request.Stream == true;
        var names = new ToolNameMap();
        var tools = AnthropicToolsToChat.Tools(request.Tools, names);
        var effort = ReasoningEffortOf(request);
        var thinkingOff = request.Thinking?.Type == "disabled";
        // What the upstream will do: think when asked, or, for a vendor that thinks by default, unless told not to.
        var thinking = effort is not null || (!thinkingOff && ctx.ChatThinkingSwitch.ThinksByDefault());
        var thinkingSwitch = effort is not null || thinkingOff ? ctx.ChatThinkingSwitch.Value(on: !thinkingOff) : null;
        var maxTokens = TranslationJson.RequirePositive(request.MaxTokens, "max_tokens");
        var sampling = !ctx.ChatFixedSampling;
        var chat = new ChatRequest
        {
            Model = ctx.UpstreamModel,
            Messages = AnthropicMessagesToChat.Messages(request, thinking, ctx.ChatReasoningReplay, ctx.ChatReasoningSplit),
            MaxTokens = ctx.ChatMaxCompletionTokens ? null : maxTokens,
            MaxCompletionTokens = ctx.ChatMaxCompletionTokens ? maxTokens : null,
            Stop = sampling && request.StopSequences is { Count: > 0 } stops ? new JsonArray([.. stops.Select(s => (JsonNode?)s)]) : null,
            Temperature = sampling ? request.Temperature : null,
            TopP = sampling ? request.TopP : null,
            User = request.Metadata?.UserId is { } user ? StableHash.Shorten(user, MaxUserLength) : null,
            Stream = stream ? true : null,
            // Without include_usage a streamed answer carries no usage at all, and the call would be logged as free.
            StreamOptions = stream ? new ChatStreamOptions(IncludeUsage: true) : null,
            Tools = tools,
            ToolChoice = tools is null ? null : AnthropicToolsToChat.ToolChoice(request.ToolChoice),
            ParallelToolCalls = tools is not null && request.ToolChoice?.DisableParallelToolUse == true ? false : null,
            ReasoningEffort = effort,
            Thinking = ctx.ChatThinkingSwitch == ChatThinkingSwitch.ThinkingType ? thinkingSwitch : null,
            EnableThinking = ctx.ChatThinkingSwitch == ChatThinkingSwitch.EnableThinking ? thinkingSwitch : null,
            ReasoningSplit = ctx.ChatReasoningSplit ? request.ReasoningSplit ?? true : null,
            ResponseFormat = StructuredOutput.ForChat(request),
        };
        return new TranslatedRequest(TranslationJson.SerializeLeased(chat, AnthropicChatJsonContext.Default.ChatRequest, anthropicRequest.Length + TranslatedRequest.SizeSlack), stream, names)
        {
            PromptTokenEstimate = ChatPromptEstimate.Of(chat),
        };
    }

    /// <summary>
    /// The Chat effort of Anthropic's thinking: enabled, from its budget (<see cref="ReasoningEffort"/>); adaptive
    /// (https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking), from <c>output_config.effort</c>
    /// (https://docs.anthropic.com/en/docs/build-with-claude/effort), "high" when absent as Anthropic's default is; no
    /// thinking, from <c>output_config.effort</c> alone when set; disabled, none. Anthropic's "max" is Chat's "high",
    /// the highest effort compatible upstreams take.
    /// </summary>
    private static string? ReasoningEffortOf(AnthropicRequest request)
    {
        var effort = request.OutputConfig?.Effort switch
        {
            "max" or "xhigh" => "high",
            ("low" or "medium" or "high") and var named => named,
            _ => null,
        };
        return request.Thinking?.Type switch
        {
            "enabled" => ReasoningEffort(request.Thinking.BudgetTokens ?? 0),
            "adaptive" => effort ?? "high",
            "disabled" => null,
            _ => effort,
        };
    }

    /// <summary>
    /// Thinking budget → effort: below <see cref="MediumEffortBudget"/> "low", below <see cref="HighEffortBudget"/>
    /// "medium", otherwise "high" (Anthropic's minimum budget is 1,024; Claude Code's default think budget is ~4k,
    /// "think hard" ~10k, "ultrathink" ~32k).
    /// </summary>
    public static string ReasoningEffort(int budgetTokens) => budgetTokens switch
    {
        < MediumEffortBudget => "low",
        < HighEffortBudget => "medium",
        _ => "high",
    };
}
