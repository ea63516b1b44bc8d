using Keyway.Protocols.Anthropic;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Anthropic's extended-thinking budget (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking):
/// <c>budget_tokens</c> at least <see cref="Minimum"/> and below <c>max_tokens</c> ("`max_tokens` must be greater than
/// `thinking.budget_tokens`"). Thinking tokens count against <c>max_tokens</c>, so a budget that takes all of it but one
/// token leaves the answer one token: a budget that does not fit is cut to half of <c>max_tokens</c> instead.
/// </summary>
internal static class ThinkingBudget
{
    /// <summary>Anthropic's smallest budget.</summary>
    public const int Minimum = 1024;

    /// <summary>The answer's room beside the budget when the client set no limit, and the limit without thinking.</summary>
    public const int AnswerAllowance = 4096;

    /// <summary>Effort → budget: low 2,048, medium 8,192, high (and xhigh) 24,576; 0 for anything else ("minimal", "none").</summary>
    public static int ForEffort(string? effort) => effort switch
    {
        "low" => 2048,
        "medium" => 8192,
        "high" or "xhigh" => 24576,
        _ => 0,
    };

    /// <summary>
    /// The <c>thinking</c> a model of <paramref name="mode"/> takes for <paramref name="effort"/> once its
    /// <paramref name="budget"/> (0: no thinking) is known, and the <c>output_config.effort</c> beside it: enabled with the
    /// budget fitted below <paramref name="maxTokens"/>, or adaptive with the effort (xhigh → high where the model has no
    /// xhigh), summarized, since Opus 4.7 onwards answer with empty thinking text unless asked ("display" defaults to
    /// "omitted" there) and a Chat client would see no reasoning.
    /// </summary>
    public static (AnthropicThinking? Thinking, string? Effort) Thinking(ClaudeThinking mode, string? effort, int budget, long maxTokens)
    {
        if (mode == ClaudeThinking.Budget)
        {
            return (Fit(budget, maxTokens) is { } fitted ? new AnthropicThinking { Type = "enabled", BudgetTokens = fitted } : null, null);
        }
        if (budget == 0)
        {
            return (null, null);
        }
        var adaptiveEffort = effort == "xhigh" && mode != ClaudeThinking.AdaptiveXHigh ? "high" : effort;
        return (new AnthropicThinking { Type = "adaptive", Display = "summarized" }, adaptiveEffort);
    }

    /// <summary>
    /// <paramref name="budget"/> when it is below <paramref name="maxTokens"/>, else half of <paramref name="maxTokens"/>
    /// but not under <see cref="Minimum"/>; null when not even the minimum fits below <paramref name="maxTokens"/>.
    /// </summary>
    public static int? Fit(int budget, long maxTokens)
    {
        var fitted = budget < maxTokens ? budget : (int)Math.Min(int.MaxValue, Math.Max(Minimum, maxTokens / 2));
        return fitted >= Minimum && fitted < maxTokens ? fitted : null;
    }
}
