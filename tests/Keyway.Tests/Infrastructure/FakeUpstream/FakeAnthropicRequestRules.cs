using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// What Anthropic refuses of a request beyond thinking's rules (<see cref="FakeAnthropicThinking"/>), with its messages:
/// tool_use or tool_result blocks without <c>tools</c>; an image url source that is a data URL (Anthropic downloads url
/// sources); by model (https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking, "What's new in Claude 4.6"):
/// enabled thinking on Opus 4.7 and Mythos, adaptive thinking before Claude 4.6, and a trailing assistant message (a
/// prefill) from Claude 4.6 on. The fake knows only the model names the tests use.
/// </summary>
internal static class FakeAnthropicRequestRules
{
    private static readonly string[] AdaptiveOnly = ["claude-opus-4-7", "claude-mythos"];
    private static readonly string[] NoPrefill = ["claude-opus-4-6", "claude-sonnet-4-6", .. AdaptiveOnly];
    private static readonly string[] BudgetOnly = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-5"];

    /// <summary>Anthropic's error body for what the request breaks; null when it keeps every rule.</summary>
    public static JsonObject? Refusal(string model, JsonElement body)
    {
        var thinkingType = FakeJson.String(FakeJson.Property(body, "thinking"), "type");
        if (thinkingType == "enabled" && Is(model, AdaptiveOnly))
        {
            return FakeAnthropicThinking.Error("\"thinking.type.enabled\" is not supported for this model. Use \"thinking.type.adaptive\" and \"output_config.effort\" to control thinking behavior.");
        }
        if (thinkingType == "adaptive" && Is(model, BudgetOnly))
        {
            return FakeAnthropicThinking.Error("adaptive thinking is not supported on this model");
        }
        var messages = FakeJson.Array(body, "messages").ToList();
        if (messages.Count > 0 && FakeJson.String(messages[^1], "role") == "assistant" && Is(model, NoPrefill))
        {
            return FakeAnthropicThinking.Error("This model does not support assistant message prefill. The conversation must end with a user message.");
        }
        var blocks = messages.SelectMany(message => FakeJson.Array(message, "content")).ToList();
        if (FakeJson.Property(body, "tools").ValueKind != JsonValueKind.Array
            && blocks.Any(block => FakeJson.String(block, "type") is "tool_use" or "tool_result"))
        {
            return FakeAnthropicThinking.Error("Requests which include `tool_use` or `tool_result` blocks must define tools.");
        }
        var images = blocks.Concat(blocks.SelectMany(block => FakeJson.Array(block, "content")))
            .Where(block => FakeJson.String(block, "type") == "image")
            .Select(block => FakeJson.Property(block, "source"));
        return images.Any(source => FakeJson.String(source, "url")?.StartsWith("data:", StringComparison.Ordinal) == true)
            ? FakeAnthropicThinking.Error("Unable to download the file. Please verify the URL and try again.")
            : null;
    }

    private static bool Is(string model, string[] names) => names.Any(name => model.StartsWith(name, StringComparison.Ordinal));
}
