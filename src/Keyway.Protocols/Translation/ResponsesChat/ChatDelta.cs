using System.Text.Json;

namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>Fields of a chat message or stream delta that compatible upstreams spell differently.</summary>
internal static class ChatDelta
{
    /// <summary>
    /// Reasoning text: <c>reasoning_content</c> (DeepSeek, Qwen, GLM, Kimi) or <c>reasoning</c> (OpenRouter, newer vLLM).
    /// </summary>
    public static string? Reasoning(JsonElement messageOrDelta) =>
        messageOrDelta.String("reasoning_content") ?? messageOrDelta.String("reasoning");
}
