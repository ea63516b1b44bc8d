using System.Globalization;
using System.Text;
using System.Text.Json;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols;

/// <summary>
/// Applies a route's <see cref="RequestDefaults"/> to a body already in the upstream's protocol by splicing bytes, so
/// everything the client wrote reaches the upstream unchanged. A parameter the body already has is left alone, except
/// an output-token limit above the cap, which is lowered to it.
/// <list type="bullet">
/// <item>Chat Completions: <c>reasoning_effort</c>; <c>max_completion_tokens</c> and <c>max_tokens</c> clamped.</item>
/// <item>Responses: <c>reasoning.effort</c> (added into a <c>reasoning</c> object that has none); <c>max_output_tokens</c> clamped.</item>
/// <item>Anthropic Messages: the thinking the model takes (<see cref="ClaudeModels"/>, as the translator chooses it:
/// <see cref="ThinkingBudget.Thinking"/>): {enabled, budget_tokens} with the budget table (low 2,048, medium 8,192, high
/// 24,576; one not below <c>max_tokens</c> cut to half of it, none under 1,024), or from Claude 4.6 on {adaptive} with
/// the effort in <c>output_config</c> (Opus 4.7 refuses enabled thinking); none when the body sets <c>temperature</c>,
/// <c>top_p</c> or <c>top_k</c>, forces a tool, which thinking rejects, or continues a tool loop without its signed
/// thinking blocks under enabled thinking (<see cref="ThinkingTurn"/>); <c>max_tokens</c> clamped, or set to the cap
/// when absent since Anthropic requires it, and the client's own budget fitted the same way below a lowered
/// <c>max_tokens</c> (or its thinking left out).</item>
/// <item>Every protocol: <c>temperature</c>, except alongside Anthropic extended thinking (which accepts none) and where
/// the upstream fixes sampling (see <c>Apply</c>).</item>
/// </list>
/// </summary>
public static class RequestDefaultsSplicer
{
    /// <param name="fixedSampling">
    /// The upstream model takes no temperature but its default (OpenAI's reasoning models: "Unsupported value:
    /// 'temperature' does not support 0.2 with this model. Only the default (1) value is supported."), so the route's
    /// default temperature would only cost every call.
    /// </param>
    /// <param name="anthropicThinking">How the upstream model takes thinking, when <paramref name="upstream"/> is Anthropic Messages.</param>
    public static byte[] Apply(byte[] body, WireFormat upstream, RequestDefaults defaults, bool fixedSampling, ClaudeThinking anthropicThinking)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (defaults.IsEmpty || JsonObjectMembers.ScanRoot(body) is not { } root)
        {
            return body;
        }
        var splices = new BodySplices();
        var added = new List<string>();
        var maxTokens = ClampMaxTokens(body, upstream, defaults.MaxTokensCap, root, ref splices, added, out var lowered);
        var thinking = upstream == WireFormat.AnthropicMessages && root.Get("thinking") is { } existing
            ? FitThinking(body, existing, maxTokens, lowered, ref splices)
            : AddReasoning(body, upstream, defaults.ReasoningEffort, anthropicThinking, root, maxTokens, ref splices, added);
        if (defaults.Temperature is { } temperature && !fixedSampling && !root.Has("temperature") && !thinking)
        {
            added.Add(Member("temperature", temperature.ToString("R", CultureInfo.InvariantCulture)));
        }
        if (added.Count > 0)
        {
            var members = (root.HasMembers ? "," : "") + string.Join(',', added);
            splices.Add(root.MembersEnd, root.MembersEnd, Encoding.UTF8.GetBytes(members));
        }
        return splices.Count == 0 ? body : splices.ApplyTo(body);
    }

    /// <returns>The output-token limit the upstream will see, when the body has one; <paramref name="lowered"/> when the cap set or lowered it.</returns>
    private static long? ClampMaxTokens(
        byte[] body, WireFormat upstream, int? cap, JsonObjectMembers root, ref BodySplices splices, List<string> added, out bool lowered)
    {
        lowered = false;
        string[] fields = upstream switch
        {
            WireFormat.OpenAIResponses => ["max_output_tokens"],
            WireFormat.AnthropicMessages => ["max_tokens"],
            // OpenAI reads max_completion_tokens first; max_tokens is its older name.
            _ => ["max_completion_tokens", "max_tokens"],
        };
        long? limit = null;
        foreach (var field in fields)
        {
            if (root.Integer(body, field) is not { } value)
            {
                continue;
            }
            if (cap is { } max && value > max)
            {
                var span = root.Get(field)!.Value.Value;
                splices.Add(span.Start, span.End, Encoding.UTF8.GetBytes(max.ToString(CultureInfo.InvariantCulture)));
                value = max;
                lowered = true;
            }
            limit ??= value;
        }
        if (limit is null && upstream == WireFormat.AnthropicMessages && cap is { } required && !root.Has("max_tokens"))
        {
            added.Add(Member("max_tokens", required.ToString(CultureInfo.InvariantCulture)));
            limit = required;
            lowered = true;
        }
        return limit;
    }

    /// <returns>Whether the request will run with Anthropic extended thinking (the client's or the default).</returns>
    private static bool AddReasoning(
        byte[] body, WireFormat upstream, string? effort, ClaudeThinking anthropicThinking, JsonObjectMembers root, long? maxTokens,
        ref BodySplices splices, List<string> added)
    {
        switch (upstream)
        {
            case WireFormat.OpenAIChat when effort is not null && !root.Has("reasoning_effort"):
                added.Add(Member("reasoning_effort", Quote(effort)));
                return false;
            case WireFormat.OpenAIResponses when effort is not null:
                AddEffort(body, "reasoning", effort, root, ref splices, added);
                return false;
            case WireFormat.AnthropicMessages:
                return AddThinking(body, effort, anthropicThinking, root, maxTokens, ref splices, added);
            default:
                return false;
        }
    }

    /// <summary>
    /// <c>effort</c> in the object <paramref name="container"/> (Responses' <c>reasoning</c>, Anthropic's
    /// <c>output_config</c>), added when the body has none, or into it when it has no effort yet.
    /// </summary>
    private static void AddEffort(byte[] body, string container, string effort, JsonObjectMembers root, ref BodySplices splices, List<string> added)
    {
        if (root.Get(container) is not { } existing)
        {
            added.Add(Member(container, $"{{\"effort\":{Quote(effort)}}}"));
        }
        else if (existing.Kind == JsonTokenType.StartObject && JsonObjectMembers.Scan(body, existing.Value) is { } inner && !inner.Has("effort"))
        {
            var member = (inner.HasMembers ? "," : "") + Member("effort", Quote(effort));
            splices.Add(inner.MembersEnd, inner.MembersEnd, Encoding.UTF8.GetBytes(member));
        }
    }

    /// <summary>
    /// The body's own thinking, its budget fitted below a <c>max_tokens</c> the cap lowered (Anthropic: "`max_tokens` must
    /// be greater than `thinking.budget_tokens`"), or left out when not even the minimum fits.
    /// </summary>
    /// <returns>Whether the request will run with extended thinking.</returns>
    private static bool FitThinking(byte[] body, JsonObjectMembers.Member thinking, long? maxTokens, bool lowered, ref BodySplices splices)
    {
        if (!AnthropicThinkingScan.IsOn(body, thinking))
        {
            return false;
        }
        var members = JsonObjectMembers.Scan(body, thinking.Value)!;
        if (!lowered || maxTokens is not { } limit || members.Integer(body, "budget_tokens") is not { } budget || budget < limit)
        {
            return true;
        }
        if (ThinkingBudget.Fit((int)Math.Min(budget, int.MaxValue), limit) is { } fitted)
        {
            var span = members.Get("budget_tokens")!.Value.Value;
            splices.Add(span.Start, span.End, Encoding.UTF8.GetBytes(fitted.ToString(CultureInfo.InvariantCulture)));
            return true;
        }
        var cut = JsonObjectMembers.RemovalOf(body, thinking);
        splices.Add(cut.Start, cut.End, []);
        return false;
    }

    private static bool AddThinking(
        byte[] body, string? effort, ClaudeThinking mode, JsonObjectMembers root, long? maxTokens, ref BodySplices splices, List<string> added)
    {
        if (effort is null || maxTokens is not { } limit || root.Has("temperature") || root.Has("top_p") || root.Has("top_k") || ForcesTool(body, root))
        {
            return false;
        }
        var (thinking, adaptiveEffort) = ThinkingBudget.Thinking(mode, effort, ThinkingBudget.ForEffort(effort), limit);
        if (thinking is null || (thinking.BudgetTokens is not null && !ToolLoopAllowsThinking(body)))
        {
            return false;
        }
        if (thinking.BudgetTokens is { } budget)
        {
            added.Add(Member("thinking", $"{{\"type\":\"enabled\",\"budget_tokens\":{budget.ToString(CultureInfo.InvariantCulture)}}}"));
            return true;
        }
        added.Add(Member("thinking", $"{{\"type\":\"adaptive\",\"display\":{Quote(thinking.Display!)}}}"));
        AddEffort(body, "output_config", adaptiveEffort!, root, ref splices, added);
        return true;
    }

    /// <summary>
    /// Whether a tool loop in progress opens with its signed thinking blocks (<see cref="ThinkingTurn"/>); a body without a
    /// tool result (most are) is not read for it.
    /// </summary>
    private static bool ToolLoopAllowsThinking(byte[] body) =>
        body.AsSpan().IndexOf("\"tool_result\""u8) < 0 || AnthropicThinkingScan.Read(body)?.AllowsThinking != false;

    /// <summary>tool_choice any or tool, with which Anthropic rejects extended thinking.</summary>
    private static bool ForcesTool(byte[] body, JsonObjectMembers root) =>
        root.Get("tool_choice") is { Kind: JsonTokenType.StartObject } choice
        && JsonObjectMembers.Scan(body, choice.Value)?.Text(body, "type") is "any" or "tool";

    private static string Member(string name, string jsonValue) => $"\"{name}\":{jsonValue}";

    private static string Quote(string text) => $"\"{JsonEncodedText.Encode(text)}\"";
}
