using System.Text;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Protocols.Usage;
using Keyway.Tests.Translation.ResponsesChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// A translated answer's usage is logged from the translator's own read of the Chat completion instead of a second pass
/// over it: that read must give what <see cref="UsageReader.FromChatCompletion"/> gives, counts never reported included.
/// </summary>
public sealed class TranslatorUsageTests
{
    [Theory]
    [InlineData("""{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":12}}""")]
    [InlineData("""{"prompt_tokens":1200,"completion_tokens":80,"prompt_cache_hit_tokens":1024,"prompt_cache_miss_tokens":176}""")]
    [InlineData("""{"prompt_tokens":1200,"completion_tokens":80,"prompt_tokens_details":{"cached_tokens":0},"prompt_cache_hit_tokens":1024}""")]
    [InlineData("""{"completion_tokens":80}""")]
    [InlineData("""{"prompt_tokens":null,"completion_tokens":3}""")]
    [InlineData("""{"prompt_tokens":5,"prompt_tokens_details":null,"completion_tokens_details":{}}""")]
    [InlineData("""{}""")]
    [InlineData("null")]
    public void TranslatorsReadTheUsageTheLogWouldRead(string usage)
    {
        var completion = Encoding.UTF8.GetBytes(
            """{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":""" + usage + "}");
        var logged = UsageReader.FromChatCompletion(completion);

        ChatResponseToAnthropic.Translate(completion, RequestFrom("anthropic_request_text.json"), Ctx, out var forAnthropic);
        ChatResponseToResponses.Translate(completion, ResponsesChatHarness.CodexRequest(), ResponsesChatHarness.Context, out var forResponses);

        Assert.Equal(logged, forAnthropic);
        Assert.Equal(logged, forResponses);
    }
}
