using Keyway.Protocols.Usage;

namespace Keyway.Tests.Protocols;

public sealed class UsageReaderTests
{
    [Fact]
    public void ChatCompletion_ReadsPromptCompletionCachedAndReasoningTokens()
    {
        var usage = UsageReader.FromChatCompletion(ProtocolFixtures.Json("openai/chat_completion.json"));

        Assert.Equal(new TokenUsage(1117, 46, 1024, null, 0), usage);
    }

    [Fact]
    public void AnthropicMessage_ReadsInputOutputAndCacheTokens()
    {
        var usage = UsageReader.FromAnthropicMessage(ProtocolFixtures.Json("anthropic/message.json"));

        Assert.Equal(new TokenUsage(2095, 503, 1800, 0, null), usage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"x\"}")]
    [InlineData("{\"usage\":null}")]
    [InlineData("{\"usage\":{\"prompt_tokens\":1")]
    [InlineData("{\"usage\":{}}")]
    public void MissingOrUnreadableUsage_IsUnknown(string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);

        Assert.Equal(TokenUsage.Unknown, UsageReader.FromChatCompletion(bytes));
        Assert.Equal(TokenUsage.Unknown, UsageReader.FromAnthropicMessage(bytes));
    }

    [Fact]
    public void NestedUsageKeys_AreNotMistakenForTheTopLevelOne()
    {
        var json = "{\"choices\":[{\"message\":{\"usage\":{\"prompt_tokens\":99}}}],\"usage\":{\"completion_tokens\":4}}"u8;

        Assert.Equal(new TokenUsage(null, 4, null, null, null), UsageReader.FromChatCompletion(json));
    }
}
