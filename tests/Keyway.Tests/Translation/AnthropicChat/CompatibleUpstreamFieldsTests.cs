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

    /// <summary>
    /// MiniMax with <c>reasoning_split</c> streams its thinking in <c>delta.reasoning_details</c>, each chunk's text the
    /// part it adds (https://platform.minimax.io/docs/api-reference/text-openai-api; "reasoning_details[].text returns
    /// incremental text, not cumulative", https://github.com/MiniMax-AI/MiniMax-M2/issues/95).
    /// </summary>
    [Fact]
    public void StreamedMiniMaxReasoningDetails_AreThinking()
    {
        var events = Translate(
            Chunk("""{"role":"assistant","content":"","reasoning_details":[{"type":"reasoning.text","id":"reasoning-text-1","format":"MiniMax-response-v1","index":0,"text":"The user"}]}"""),
            Chunk("""{"content":"","reasoning_details":[{"type":"reasoning.text","text":" greets me. «été»"}]}"""),
            Chunk("""{"content":"Hi"}"""), Finish("stop"), "data: [DONE]\n\n");

        Assert.Equal("The user greets me. «été»", Deltas(events, "thinking_delta", "thinking"));
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

    /// <summary>
    /// A MiniMax answer with <c>reasoning_split</c>: the thinking in <c>message.reasoning_details[0].text</c>
    /// (https://platform.minimax.io/docs/api-reference/text-openai-api), beside MiniMax's own <c>base_resp</c>.
    /// </summary>
    [Fact]
    public void AnswerWithMiniMaxReasoningDetails_HasThinkingFirst()
    {
        var completion = """
            {"id":"05b81ba7","object":"chat.completion","created":1735689600,"model":"MiniMax-M2",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi",
               "reasoning_details":[{"type":"reasoning.text","id":"reasoning-text-1","format":"MiniMax-response-v1","index":0,"text":"The user greets me."}]},
               "finish_reason":"stop"}],
             "usage":{"prompt_tokens":40,"completion_tokens":12,"total_tokens":52},"base_resp":{"status_code":0,"status_msg":""}}
            """u8;

        var message = JsonNode.Parse(ChatResponseToAnthropic.Translate(completion, RequestFrom("anthropic_request_text.json"), Ctx))!;

        Assert.Equal("thinking", message["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("The user greets me.", message["content"]![0]!["thinking"]!.GetValue<string>());
        Assert.Equal("Hi", message["content"]![1]!["text"]!.GetValue<string>());
    }

    private static string Chunk(string delta) => Head + delta + ""","finish_reason":null}]}""" + "\n\n";

    private static string Finish(string reason) => Head + """{},"finish_reason":""" + $"\"{reason}\"" + "}]}\n\n";

    private static List<(string Name, JsonNode? Data)> Translate(params string[] upstream) =>
        ParseSse(RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), Encoding.UTF8.GetBytes(string.Concat(upstream))));

    private static string Deltas(List<(string Name, JsonNode? Data)> events, string type, string member) => string.Concat(
        events.Where(e => e.Name == "content_block_delta" && e.Data!["delta"]!["type"]!.GetValue<string>() == type)
            .Select(e => e.Data!["delta"]![member]!.GetValue<string>()));
}
