using System.Globalization;
using System.Text;
using System.Text.Json;
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
/// <item>Anthropic Messages: <c>thinking</c> {enabled, budget_tokens} with the translator's budget table (low 2,048,
/// medium 8,192, high 24,576, kept below <c>max_tokens</c>; none under 1,024), and none when the body sets
/// <c>temperature</c>, <c>top_p</c> or <c>top_k</c> or forces a tool, which extended thinking rejects;
/// <c>max_tokens</c> clamped, or set to the cap when absent since Anthropic requires it.</item>
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
    public static byte[] Apply(byte[] body, WireFormat upstream, RequestDefaults defaults, bool fixedSampling)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (defaults.IsEmpty || JsonObjectMembers.ScanRoot(body) is not { } root)
        {
            return body;
        }
        var splices = new BodySplices();
        var added = new List<string>();
        var maxTokens = ClampMaxTokens(body, upstream, defaults.MaxTokensCap, root, ref splices, added);
        var thinking = AddReasoning(body, upstream, defaults.ReasoningEffort, root, maxTokens, ref splices, added);
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

    /// <returns>The output-token limit the upstream will see, when the body has one.</returns>
    private static long? ClampMaxTokens(
        byte[] body, WireFormat upstream, int? cap, JsonObjectMembers root, ref BodySplices splices, List<string> added)
    {
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
            }
            limit ??= value;
        }
        if (limit is null && upstream == WireFormat.AnthropicMessages && cap is { } required && !root.Has("max_tokens"))
        {
            added.Add(Member("max_tokens", required.ToString(CultureInfo.InvariantCulture)));
            limit = required;
        }
        return limit;
    }

    /// <returns>Whether the request will run with Anthropic extended thinking (the client's or the default).</returns>
    private static bool AddReasoning(
        byte[] body, WireFormat upstream, string? effort, JsonObjectMembers root, long? maxTokens, ref BodySplices splices, List<string> added)
    {
        switch (upstream)
        {
            case WireFormat.OpenAIChat when effort is not null && !root.Has("reasoning_effort"):
                added.Add(Member("reasoning_effort", Quote(effort)));
                return false;
            case WireFormat.OpenAIResponses when effort is not null:
                AddResponsesEffort(body, effort, root, ref splices, added);
                return false;
            case WireFormat.AnthropicMessages:
                return AddThinking(body, effort, root, maxTokens, added);
            default:
                return false;
        }
    }

    private static void AddResponsesEffort(byte[] body, string effort, JsonObjectMembers root, ref BodySplices splices, List<string> added)
    {
        if (root.Get("reasoning") is not { } reasoning)
        {
            added.Add(Member("reasoning", $"{{\"effort\":{Quote(effort)}}}"));
        }
        else if (reasoning.Kind == JsonTokenType.StartObject && JsonObjectMembers.Scan(body, reasoning.Value) is { } inner && !inner.Has("effort"))
        {
            var member = (inner.HasMembers ? "," : "") + Member("effort", Quote(effort));
            splices.Add(inner.MembersEnd, inner.MembersEnd, Encoding.UTF8.GetBytes(member));
        }
    }

    private static bool AddThinking(byte[] body, string? effort, JsonObjectMembers root, long? maxTokens, List<string> added)
    {
        if (root.Get("thinking") is { } existing)
        {
            return JsonObjectMembers.Scan(body, existing.Value)?.Text(body, "type") is not (null or "disabled");
        }
        if (effort is null || maxTokens is not { } limit || root.Has("temperature") || root.Has("top_p") || root.Has("top_k") || ForcesTool(body, root))
        {
            return false;
        }
        if (ChatRequestToAnthropic.Thinking(effort, (int)Math.Min(limit, int.MaxValue)) is not { BudgetTokens: { } budget })
        {
            return false;
        }
        added.Add(Member("thinking", $"{{\"type\":\"enabled\",\"budget_tokens\":{budget.ToString(CultureInfo.InvariantCulture)}}}"));
        return true;
    }

    /// <summary>tool_choice any or tool, with which Anthropic rejects extended thinking.</summary>
    private static bool ForcesTool(byte[] body, JsonObjectMembers root) =>
        root.Get("tool_choice") is { Kind: JsonTokenType.StartObject } choice
        && JsonObjectMembers.Scan(body, choice.Value)?.Text(body, "type") is "any" or "tool";

    private static string Member(string name, string jsonValue) => $"\"{name}\":{jsonValue}";

    private static string Quote(string text) => $"\"{JsonEncodedText.Encode(text)}\"";
}
