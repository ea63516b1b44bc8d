using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Chat options an Anthropic upstream cannot honour (https://docs.anthropic.com/en/api/messages has one answer per
/// request and no token probabilities) are refused with a 400 rather than answered as if honoured: a client asking for
/// <c>n:2</c> would index a second choice that never comes, one asking for logprobs would read null as "none".
/// <c>service_tier</c> keeps its meaning where Anthropic has the same tier (https://docs.anthropic.com/en/api/service-tiers).
/// </summary>
public sealed class UnanswerableOptionsTests
{
    [Theory]
    [InlineData("\"n\":2", "n")]
    [InlineData("\"logprobs\":true", "logprobs")]
    [InlineData("\"logprobs\":true,\"top_logprobs\":3", "logprobs")]
    public void OptionAnthropicCannotHonour_IsRefused(string option, string named)
    {
        var error = Assert.Throws<TranslationException>(() => ToAnthropic(option));

        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("\"n\":1")]
    [InlineData("\"logprobs\":false")]
    [InlineData("\"logprobs\":false,\"top_logprobs\":0")]
    public void OptionAskingForNothingMore_Passes(string option) => ToAnthropic(option);

    [Theory]
    [InlineData("auto", "auto")]
    [InlineData("default", "standard_only")]
    [InlineData("flex", null)]
    [InlineData("priority", null)]
    public void ServiceTier_KeepsItsMeaningOrIsLeftOut(string openAI, string? anthropic) =>
        Assert.Equal(anthropic, (string?)ToAnthropic($"\"service_tier\":\"{openAI}\"")["service_tier"]);

    private static JsonNode ToAnthropic(string option) => JsonNode.Parse(ChatRequestToAnthropic.Translate(
        Encoding.UTF8.GetBytes($$"""{"model":"m","messages":[{"role":"user","content":"hi"}],{{option}}}"""), Ctx).Body.Span)!;
}
