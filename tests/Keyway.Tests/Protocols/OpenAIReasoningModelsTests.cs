using Keyway.Protocols.OpenAI;

namespace Keyway.Tests.Protocols;

/// <summary>
/// The names OpenAI gives its reasoning models (https://platform.openai.com/docs/models: o1, o3, o3-mini, o3-pro,
/// o4-mini, the gpt-5 family), dated snapshots included, against the names other vendors give theirs.
/// </summary>
public sealed class OpenAIReasoningModelsTests
{
    [Theory]
    [InlineData("o1")]
    [InlineData("o1-2024-12-17")]
    [InlineData("o3")]
    [InlineData("o3-mini")]
    [InlineData("o3-pro")]
    [InlineData("o4-mini")]
    [InlineData("o4-mini-2025-04-16")]
    [InlineData("gpt-5")]
    [InlineData("gpt-5-mini")]
    [InlineData("gpt-5-nano-2025-08-07")]
    [InlineData("gpt-5.1")]
    [InlineData("gpt-5.2-codex")]
    [InlineData("gpt-6")]
    [InlineData("GPT-5-mini")]
    [InlineData("O3")]
    [InlineData("ft:o4-mini-2025-04-16:acme::abc123")]
    public void ReasoningModels_Match(string model) => Assert.True(OpenAIReasoningModels.Matches(model));

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("gpt-4.1-mini")]
    [InlineData("gpt-4")]
    [InlineData("gpt-3.5-turbo")]
    [InlineData("gpt-oss-120b")]
    [InlineData("gpt-")]
    [InlineData("o")]
    [InlineData("o3x")]
    [InlineData("omni-moderation-latest")]
    [InlineData("openai/o3")]
    [InlineData("ft:gpt-4o-mini-2024-07-18:acme::abc123")]
    [InlineData("deepseek-reasoner")]
    [InlineData("qwen3-coder-plus")]
    [InlineData("glm-4.6")]
    [InlineData("")]
    public void OtherModels_DoNotMatch(string model) => Assert.False(OpenAIReasoningModels.Matches(model));
}
