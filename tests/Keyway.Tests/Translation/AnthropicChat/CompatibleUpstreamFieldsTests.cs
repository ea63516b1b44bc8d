using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// What Chat-compatible upstreams spell their own way reaches an Anthropic client (Claude Code) as the native API would
/// send it: reasoning named <c>reasoning</c> (OpenRouter, newer vLLM) becomes thinking, and DeepSeek's cache hits
/// (<c>prompt_cache_hit_tokens</c>, https://api-docs.deepseek.com/guides/kv_cache) become cache reads.
/// </summary>
public sealed class CompatibleUpstreamFieldsTests
{
    private const string Head = """data: {"id":"gen-1","object":"chat.completion.chunk","created":1735689600,"model":"m","choices":[{"index":0,"delta":""";

    [Theory]
    [InlineData("""{"reasoning":"Let me"}""", """{"reasoning":" think."}""")]
    [InlineData("""{"content":null,"reasoning_content":"Let me","reasoning":"Let me"}""", """{"reasoning":" think.","reasoning_content":" think."}""")]
    [InlineData("""{"reasoning_content":"Let me","reasoning":{"effort":"high"}}""", """{"reasoning_content":" think.","reasoning":null}""")]
    public void StreamedReasoning_UnderEitherName_IsThinkingOnce(string firstDelta, string secondDelta)
    {
        var events = Translate(Chunk(firstDelta), Chunk(secondDelta), Chunk("""{"content":"Hi"}"""), Finish("stop"), "data: [DONE]\n\n");

        Assert.Equal("Let me think.", Deltas(events, "thinking_delta", "thinking"));
        Assert.Equal("Hi", Deltas(events, "text_delta", "text"));
    }

    [Fact]
    public void StreamedDeepSeekCacheHits_AreCacheReads()
    {
        var usage = """data: {"id":"gen-1","object":"chat.completion.chunk","created":1735689600,"model":"m","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":80,"total_tokens":1280,"prompt_tokens_details":{"cached_tokens":0},"prompt_cache_hit_tokens":1024,"prompt_cache_miss_tokens":176}}""" + "\n\n";

        var events = Translate(Chunk("""{"content":"Hi"}"""), Finish("stop"), usage, "data: [DONE]\n\n");

        var messageDelta = events.Single(e => e.Name == "message_delta").Data!["usage"]!;
        Assert.Equal(176, messageDelta["input_tokens"]!.GetValue<long>());
        Assert.Equal(1024, messageDelta["cache_read_input_tokens"]!.GetValue<long>());
        Assert.Equal(80, messageDelta["output_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void AnswerWithReasoningAndDeepSeekCacheHits_HasThinkingAndCacheReads()
    {
        var completion = """
            {"id":"gen-2","object":"chat.completion","created":1735689600,"model":"m",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi","reasoning":"Let me think."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1200,"completion_tokens":80,"total_tokens":1280,"prompt_cache_hit_tokens":1024,"prompt_cache_miss_tokens":176}}
            """u8;

        var message = JsonNode.Parse(ChatResponseToAnthropic.Translate(completion, RequestFrom("anthropic_request_text.json"), Ctx))!;

        Assert.Equal("thinking", message["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("Let me think.", message["content"]![0]!["thinking"]!.GetValue<string>());
        Assert.Equal("Hi", message["content"]![1]!["text"]!.GetValue<string>());
        Assert.Equal(176, message["usage"]!["input_tokens"]!.GetValue<long>());
        Assert.Equal(1024, message["usage"]!["cache_read_input_tokens"]!.GetValue<long>());
    }

    private static string Chunk(string delta) => Head + delta + ""","finish_reason":null}]}""" + "\n\n";

    private static string Finish(string reason) => Head + """{},"finish_reason":""" + $"\"{reason}\"" + "}]}\n\n";

    private static List<(string Name, JsonNode? Data)> Translate(params string[] upstream) =>
        ParseSse(RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), Encoding.UTF8.GetBytes(string.Concat(upstream))));

    private static string Deltas(List<(string Name, JsonNode? Data)> events, string type, string member) => string.Concat(
        events.Where(e => e.Name == "content_block_delta" && e.Data!["delta"]!["type"]!.GetValue<string>() == type)
            .Select(e => e.Data!["delta"]![member]!.GetValue<string>()));
}
