using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Anthropic;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// An OpenAI Chat Completions request (https://platform.openai.com/docs/api-reference/chat/create) as an Anthropic
/// Messages request (https://docs.anthropic.com/en/api/messages). Mapped: system/developer messages → <c>system</c>,
/// user/assistant/tool messages, function <c>tools</c>, <c>tool_choice</c>, <c>parallel_tool_calls</c>,
/// <c>max_completion_tokens</c>/<c>max_tokens</c> (Anthropic requires it: by default the thinking budget plus
/// <see cref="ThinkingBudget.AnswerAllowance"/>),
/// <c>stop</c>, <c>temperature</c> (clamped to Anthropic's 0–1), <c>top_p</c>, <c>user</c> → <c>metadata.user_id</c>,
/// <c>stream</c>, <c>reasoning_effort</c> (or the route's default, <see cref="TranslationContext.DefaultReasoningEffort"/>)
/// → <c>thinking</c>, an assistant message's <c>thinking_blocks</c> (LiteLLM's field for Anthropic's signed blocks),
/// content parts' <c>cache_control</c>, <c>response_format</c> and tools' <c>strict</c> (<see cref="StructuredOutput"/>),
/// <c>service_tier</c> auto/default; prompt-cache breakpoints are placed when the client set none
/// (<see cref="CacheBreakpoints"/>). Refused (400): <c>n</c> &gt; 1, <c>logprobs</c>, <c>top_logprobs</c> &gt; 0, JSON mode.
/// Dropped on purpose, having no Anthropic counterpart: <c>logit_bias</c>, <c>presence_penalty</c>,
/// <c>frequency_penalty</c>, <c>seed</c>, <c>modalities</c>, <c>audio</c>, <c>prediction</c>,
/// <c>store</c>, other <c>service_tier</c> values, <c>web_search_options</c>, <c>stream_options</c> (kept in
/// <see cref="TranslatedRequest.IncludeUsage"/> for the way back), assistant <c>reasoning_content</c> and unsigned <c>thinking_blocks</c> (Anthropic rejects thinking blocks without its own signature), and
/// audio and file content parts.
/// </summary>
public static class ChatRequestToAnthropic
{
    public static TranslatedRequest Translate(ReadOnlyMemory<byte> chatRequest, TranslationContext ctx)
    {
        var request = TranslationJson.Parse(chatRequest, AnthropicChatJsonContext.Default.ChatRequest, "chat completions request body");
        RejectUnanswerable(request);
        var stream = request.Stream == true;
        var limit = TranslationJson.RequirePositive(request.MaxCompletionTokens, "max_completion_tokens")
            ?? TranslationJson.RequirePositive(request.MaxTokens, "max_tokens");
        var (system, messages) = ChatMessagesToAnthropic.Messages(request.Messages ?? throw new TranslationException("messages is required."));
        var tools = ChatToolsToAnthropic.Tools(request.Tools);
        var toolChoice = tools is null ? null : ChatToolsToAnthropic.ToolChoice(request.ToolChoice, request.ParallelToolCalls);
        if (tools is null)
        {
            (tools, toolChoice) = ChatToolsToAnthropic.ForToolHistory(messages);
        }
        // Anthropic rejects thinking together with a forced tool (tool_choice any or tool): the forced tool wins. A tool
        // loop whose thinking blocks the client did not send back goes on without thinking (ThinkingTurn).
        var effort = request.ReasoningEffort ?? ctx.DefaultReasoningEffort;
        var effortBudget = toolChoice?.Type is "any" or "tool" ? 0 : ThinkingBudget.ForEffort(effort);
        // Adaptive thinking may leave a turn without any, so only enabled thinking is held to the tool loop's rule.
        var adaptive = ctx.AnthropicThinking != ClaudeThinking.Budget;
        var budget = effortBudget > 0 && (adaptive || ThinkingTurn.AllowsThinking(messages)) ? effortBudget : 0;
        // Anthropic requires max_tokens: without the client's, the answer gets its allowance beside the thinking budget
        // (adaptive thinking too counts against max_tokens: the effort's budget sizes its room).
        var maxTokens = limit ?? budget + ThinkingBudget.AnswerAllowance;
        var (thinking, thinkingEffort) = ThinkingBudget.Thinking(ctx.AnthropicThinking, effort, budget, maxTokens);
        var anthropic = new AnthropicRequest
        {
            Model = ctx.UpstreamModel,
            Messages = messages,
            System = system.Count > 0 ? system : null,
            MaxTokens = maxTokens,
            StopSequences = StopSequences(request.Stop),
            // Extended thinking accepts neither a temperature other than 1 nor a top_p below 0.95: sent without them.
            Temperature = thinking is null && request.Temperature is { } t ? Math.Clamp(t, 0, 1) : null,
            TopP = thinking is null ? request.TopP : null,
            Metadata = string.IsNullOrEmpty(request.User) ? null : new AnthropicMetadata { UserId = request.User },
            Stream = stream ? true : null,
            Tools = tools,
            ToolChoice = toolChoice,
            Thinking = thinking,
            OutputConfig = StructuredOutput.ForAnthropic(request.ResponseFormat, thinkingEffort),
            ServiceTier = ServiceTier(request.ServiceTier),
        };
        if (ctx.PlacesCacheBreakpoints)
        {
            CacheBreakpoints.PlaceWhereNone(anthropic);
        }
        return new TranslatedRequest(TranslationJson.SerializeLeased(anthropic, AnthropicChatJsonContext.Default.AnthropicRequest, chatRequest.Length + TranslatedRequest.SizeSlack), stream, ToolNameMap.Empty)
        {
            IncludeUsage = request.StreamOptions?.IncludeUsage == true,
        };
    }

    /// <summary>
    /// Anthropic writes one answer per request and reports no token probabilities (https://docs.anthropic.com/en/api/messages):
    /// a client asking for several choices would index one that never comes, one asking for logprobs would read null as
    /// "none", so both are refused. Asking for nothing more (<c>n:1</c>, <c>logprobs:false</c>) passes.
    /// </summary>
    private static void RejectUnanswerable(ChatRequest request)
    {
        if (request.N > 1)
        {
            throw new TranslationException("n greater than 1 is not supported by this model's Anthropic upstream, which writes one answer per request.");
        }

        if (request.Logprobs == true || request.TopLogprobs > 0)
        {
            throw new TranslationException("logprobs and top_logprobs are not supported by this model's Anthropic upstream, which reports no token probabilities.");
        }
    }

    /// <summary>
    /// OpenAI's "auto" (the project's tier) and "default" (standard processing) are Anthropic's "auto" (Priority Tier
    /// capacity when the organization has some, else standard) and "standard_only" (https://docs.anthropic.com/en/api/service-tiers);
    /// "flex", "scale" and "priority" have no counterpart and are left out (Anthropic's default is "auto").
    /// </summary>
    private static string? ServiceTier(string? tier) => tier switch
    {
        "auto" => "auto",
        "default" => "standard_only",
        _ => null,
    };

    private static List<string>? StopSequences(JsonNode? stop)
    {
        var values = stop switch
        {
            JsonValue single when single.GetValueKind() == JsonValueKind.String => [single.GetValue<string>()],
            JsonArray many => many.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()).ToList(),
            null => [],
            _ => throw new TranslationException("stop must be a string or an array of strings."),
        };
        // Anthropic rejects whitespace-only stop sequences.
        var kept = values.Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
        return kept.Count > 0 ? kept : null;
    }
}
