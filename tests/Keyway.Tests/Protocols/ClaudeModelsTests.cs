using Keyway.Protocols.Anthropic;

namespace Keyway.Tests.Protocols;

/// <summary>Claude's generations by the names routes call them (https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking).</summary>
public sealed class ClaudeModelsTests
{
    [Theory]
    [InlineData("claude-opus-4-7", ClaudeThinking.AdaptiveXHigh)]
    [InlineData("claude-opus-4-7-20260416", ClaudeThinking.AdaptiveXHigh)]
    [InlineData("claude-mythos-preview", ClaudeThinking.AdaptiveXHigh)]
    [InlineData("claude-sonnet-5", ClaudeThinking.AdaptiveXHigh)]
    [InlineData("claude-opus-4-6", ClaudeThinking.Adaptive)]
    [InlineData("Claude-Sonnet-4-6", ClaudeThinking.Adaptive)]
    [InlineData("anthropic/claude-opus-4.6", ClaudeThinking.Adaptive)]
    [InlineData("us.anthropic.claude-opus-4-6-v1", ClaudeThinking.Adaptive)]
    [InlineData("claude-opus-4-6@20260205", ClaudeThinking.Adaptive)]
    [InlineData("claude-sonnet-4-5-20250929", ClaudeThinking.Budget)]
    [InlineData("claude-haiku-4-5", ClaudeThinking.Budget)]
    [InlineData("claude-sonnet-4-20250514", ClaudeThinking.Budget)]
    [InlineData("claude-3-7-sonnet-latest", ClaudeThinking.Budget)]
    [InlineData("claude-2.1", ClaudeThinking.Budget)]
    [InlineData("claude-upstream-model", ClaudeThinking.Budget)]
    [InlineData("claude-alias", ClaudeThinking.Budget)]
    [InlineData("deepseek-chat", ClaudeThinking.Budget)]
    [InlineData("glm-4.6", ClaudeThinking.Budget)]
    public void ThinkingOf_TellsTheGeneration(string model, ClaudeThinking expected) =>
        Assert.Equal(expected, ClaudeModels.ThinkingOf(model));
}
