using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Anthropic's extended thinking as the fake plays it (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking,
/// https://platform.claude.com/docs/build-with-claude/thinking-tool-workflows). With <c>thinking</c> on (enabled or
/// adaptive) the answer starts with a signed thinking block and a redacted_thinking block; a request is refused, with
/// Anthropic's messages, when a thinking block it replays does not carry the signature the fake gave its text (Keyway's
/// own unsigned blocks included), when an enabled budget is under 1,024 or not below <c>max_tokens</c>, and when a tool
/// loop is continued (the last message holds tool results) with thinking enabled while the turn's first assistant message
/// does not start with a thinking or redacted_thinking block ("a tool-use loop is one assistant turn").
/// </summary>
internal static class FakeAnthropicThinking
{
    public const string Text = "Je réfléchis — \"d'abord\" l'outil ✓";
    public const string RedactedData = "EmwKAhgBEgy3va3pzix/fake+redacted==";

    /// <summary>The signature the fake gives a thinking text, checked when the block comes back.</summary>
    public static string Signature(string thinking) =>
        "sig_" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(thinking)));

    public static bool IsOn(JsonElement body) => FakeJson.String(FakeJson.Property(body, "thinking"), "type") is "enabled" or "adaptive";

    /// <summary>Anthropic's error body for what the request breaks; null when it keeps every rule.</summary>
    public static JsonObject? Refusal(JsonElement body)
    {
        var thinking = FakeJson.Property(body, "thinking");
        if (FakeJson.String(thinking, "type") == "enabled" && FakeJson.Property(thinking, "budget_tokens") is { ValueKind: JsonValueKind.Number } budget)
        {
            if (budget.GetInt32() < 1024)
            {
                return Error("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
            }
            if (FakeJson.Property(body, "max_tokens") is { ValueKind: JsonValueKind.Number } max && budget.GetInt32() >= max.GetInt32())
            {
                return Error("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
            }
        }
        var messages = FakeJson.Array(body, "messages").ToList();
        for (var i = 0; i < messages.Count; i++)
        {
            var blocks = FakeJson.Array(messages[i], "content").ToList();
            for (var j = 0; j < blocks.Count; j++)
            {
                if (FakeJson.String(blocks[j], "type") == "thinking"
                    && FakeJson.String(blocks[j], "signature") != Signature(FakeJson.String(blocks[j], "thinking") ?? ""))
                {
                    return Error($"messages.{i}.content.{j}: Invalid `signature` in `thinking` block");
                }
            }
        }
        // Adaptive thinking may leave a turn without any, so only enabled thinking holds a tool loop to the rule.
        return FakeJson.String(thinking, "type") == "enabled" && TurnStartIndex(messages) is { } first && !StartsWithThinking(messages[first])
            ? Error($"messages.{first}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{FirstType(messages[first])}`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns.")
            : null;
    }

    /// <summary>The thinking blocks that open an answer to a request with thinking on.</summary>
    public static JsonObject[] Blocks() =>
    [
        new() { ["type"] = "thinking", ["thinking"] = Text, ["signature"] = Signature(Text) },
        new() { ["type"] = "redacted_thinking", ["data"] = RedactedData },
    ];

    /// <summary>In a continued tool loop, the index of the current turn's first assistant message; null outside one.</summary>
    private static int? TurnStartIndex(List<JsonElement> messages)
    {
        if (messages.Count == 0 || !HasToolResult(messages[^1]))
        {
            return null;
        }
        var start = messages.FindLastIndex(message => FakeJson.String(message, "role") == "user" && !HasToolResult(message)) + 1;
        var first = messages.FindIndex(start, message => FakeJson.String(message, "role") == "assistant");
        return first < 0 ? null : first;
    }

    private static bool HasToolResult(JsonElement message) =>
        FakeJson.String(message, "role") == "user" && FakeJson.Array(message, "content").Any(block => FakeJson.String(block, "type") == "tool_result");

    private static bool StartsWithThinking(JsonElement message) => FirstType(message) is "thinking" or "redacted_thinking";

    private static string? FirstType(JsonElement message) =>
        FakeJson.Array(message, "content").Select(block => FakeJson.String(block, "type")).FirstOrDefault() ?? "text";

    internal static JsonObject Error(string message) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["message"] = message },
    };
}
