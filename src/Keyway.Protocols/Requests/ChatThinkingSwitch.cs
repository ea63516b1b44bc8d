using System.Text;
using Keyway.Protocols.Translation.AnthropicChat;

namespace Keyway.Protocols;

/// <summary>
/// How a Chat vendor switches its thinking on and off (a provider's <c>thinking_switch</c>). OpenAI's
/// <c>reasoning_effort</c> alone does not: DeepSeek, GLM, Kimi and Volcengine Ark take
/// <c>thinking: {"type": "enabled"|"disabled"}</c> ("Thinking Mode Toggle: {"thinking": {"type": "enabled/disabled"}}",
/// https://api-docs.deepseek.com/guides/thinking_mode; "Kimi K2.5 supports the thinking parameter … Accepts
/// {"type": "enabled"} or {"type": "disabled"}", https://platform.kimi.ai/docs/api/models-overview), Qwen on DashScope
/// <c>enable_thinking: true|false</c> ("Use the enable_thinking parameter to switch between thinking and non-thinking on a
/// per-request basis", https://help.aliyun.com/en/model-studio/deep-thinking). Without the switch a Claude Code
/// background call that turned thinking off still thinks, at the cost and latency of thinking.
/// </summary>
public enum ChatThinkingSwitch
{
    /// <summary>No switch is written: the request goes as it would without the setting.</summary>
    None,

    /// <summary><c>thinking: {"type": "enabled"|"disabled"}</c>; these vendors think when the request says nothing.</summary>
    ThinkingType,

    /// <summary><c>enable_thinking: true|false</c>.</summary>
    EnableThinking,
}

/// <summary>The switch's member in a Chat body, written by the translators and spliced into a body that only has an effort.</summary>
public static class ChatThinkingSwitches
{
    private static readonly RawJsonValue TypeEnabled = new("""{"type":"enabled"}"""u8.ToArray());
    private static readonly RawJsonValue TypeDisabled = new("""{"type":"disabled"}"""u8.ToArray());
    private static readonly RawJsonValue True = new("true"u8.ToArray());
    private static readonly RawJsonValue False = new("false"u8.ToArray());

    /// <summary>The member's name; null for <see cref="ChatThinkingSwitch.None"/>.</summary>
    public static string? Field(this ChatThinkingSwitch thinkingSwitch) => thinkingSwitch switch
    {
        ChatThinkingSwitch.ThinkingType => "thinking",
        ChatThinkingSwitch.EnableThinking => "enable_thinking",
        _ => null,
    };

    /// <summary>
    /// Whether the vendor thinks on a request that says nothing of thinking: the <c>thinking</c> vendors do ("Thinking mode
    /// is enabled by default", https://api-docs.deepseek.com/guides/thinking_mode; kimi-k2.5 "默认启用",
    /// https://platform.moonshot.cn/docs/guide/use-kimi-k2-thinking-model), so a replayed tool-call turn needs its
    /// <c>reasoning_content</c> then too. Qwen's hybrid models do not think unless asked.
    /// </summary>
    public static bool ThinksByDefault(this ChatThinkingSwitch thinkingSwitch) => thinkingSwitch == ChatThinkingSwitch.ThinkingType;

    /// <summary>The member's value for thinking <paramref name="on"/>; null for <see cref="ChatThinkingSwitch.None"/>.</summary>
    internal static RawJsonValue? Value(this ChatThinkingSwitch thinkingSwitch, bool on) => thinkingSwitch switch
    {
        ChatThinkingSwitch.ThinkingType => on ? TypeEnabled : TypeDisabled,
        ChatThinkingSwitch.EnableThinking => on ? True : False,
        _ => null,
    };

    /// <summary>
    /// A Chat body with the switch added where it names a <c>reasoning_effort</c> (the client's own, a route's default, a
    /// translated Responses effort) but no switch: "none" turns thinking off (DeepSeek: "none disables thinking mode"),
    /// any other effort on. A body that already has the switch, or no effort, is returned as it is.
    /// </summary>
    public static byte[] Apply(byte[] body, ChatThinkingSwitch thinkingSwitch)
    {
        if (thinkingSwitch.Field() is not { } field
            || JsonObjectMembers.ScanRoot(body) is not { } root
            || root.Has(field)
            || root.Text(body, "reasoning_effort") is not { } effort)
        {
            return body;
        }
        var value = thinkingSwitch.Value(effort != "none")!;
        var member = $"{(root.HasMembers ? "," : "")}\"{field}\":{Encoding.UTF8.GetString(value.Utf8)}";
        var splices = new BodySplices();
        splices.Add(root.MembersEnd, root.MembersEnd, Encoding.UTF8.GetBytes(member));
        return splices.ApplyTo(body);
    }
}
