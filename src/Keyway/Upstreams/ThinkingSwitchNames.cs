using Keyway.Protocols;

namespace Keyway.Upstreams;

/// <summary>A provider's <c>thinking_switch</c> as stored: "none", "thinking_type" or "enable_thinking" (<see cref="ChatThinkingSwitch"/>).</summary>
public static class ThinkingSwitchNames
{
    public static readonly string[] Names = ["none", "thinking_type", "enable_thinking"];

    public static ChatThinkingSwitch Parse(string name) => name switch
    {
        "thinking_type" => ChatThinkingSwitch.ThinkingType,
        "enable_thinking" => ChatThinkingSwitch.EnableThinking,
        _ => ChatThinkingSwitch.None,
    };
}
