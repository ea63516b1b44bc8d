using System.Text;
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

    // DeepSeek reports cache hits as prompt_cache_hit_tokens; a cached_tokens it also sends stays 0
    // (https://api-docs.deepseek.com/guides/kv_cache). Both name the same tokens: the larger one counts.
    [Theory]
    [InlineData("\"prompt_cache_hit_tokens\":1024,\"prompt_cache_miss_tokens\":176", 1024L)]
    [InlineData("\"prompt_tokens_details\":{\"cached_tokens\":0},\"prompt_cache_hit_tokens\":1024", 1024L)]
    [InlineData("\"prompt_cache_hit_tokens\":0,\"prompt_tokens_details\":{\"cached_tokens\":512}", 512L)]
    [InlineData("\"prompt_tokens_details\":{\"cached_tokens\":512}", 512L)]
    [InlineData("\"prompt_cache_miss_tokens\":1200", null)]
    public void ChatCompletionCacheHits_AreReadUnderEitherName(string cacheMembers, long? expected)
    {
        var json = Encoding.UTF8.GetBytes($"{{\"usage\":{{\"prompt_tokens\":1200,\"completion_tokens\":80,{cacheMembers}}}}}");

        Assert.Equal(new TokenUsage(1200, 80, expected, null, null), UsageReader.FromChatCompletion(json));
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
