using System.Buffers;
using System.Text;
using System.Text.Json;
using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Tests.Protocols;

namespace Keyway.Tests.Translation.Pipeline;

/// <summary>The hub: Responses → Chat → Anthropic is two hops, and the answer comes back through both.</summary>
public sealed class TranslationPipelineTests
{
    private static readonly TranslationContext Ctx = new("resp_test_1", 1_700_000_000, "codex-alias", "claude-upstream");

    [Fact]
    public void ResponsesOnAnthropic_RequestBecomesAnAnthropicMessagesRequest()
    {
        var pipeline = TranslationPipeline.Create(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages,
            ProtocolFixtures.Json("translation/responses-chat/codex.request.json"), Ctx);

        using var upstream = JsonDocument.Parse(pipeline.UpstreamBody.Memory.ToArray());
        var root = upstream.RootElement;
        Assert.Equal("claude-upstream", root.GetProperty("model").GetString());
        Assert.True(root.GetProperty("max_tokens").GetInt32() > 0);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("messages").ValueKind);
        Assert.Contains(root.GetProperty("tools").EnumerateArray(), tool => tool.GetProperty("name").GetString() == "apply_patch");
    }

    /// <summary>
    /// A reasoning item's Keyway <c>encrypted_content</c> (Anthropic's signed blocks, <see cref="Keyway.Protocols.Translation.ResponsesChat.KeywayThinking"/>)
    /// becomes thinking blocks for an Anthropic upstream; a Chat upstream gets no <c>thinking_blocks</c>, a message field
    /// OpenAI's own API refuses (https://platform.openai.com/docs/api-reference/chat/create).
    /// </summary>
    [Theory]
    [InlineData(WireFormat.AnthropicMessages, "\"signature\":\"SIG\"")]
    [InlineData(WireFormat.OpenAIChat, null)]
    public void ReasoningItemsThinkingBlocks_GoOnlyToAnAnthropicUpstream(WireFormat upstream, string? expected)
    {
        var blocks = Convert.ToBase64String("[{\"type\":\"thinking\",\"thinking\":\"t\",\"signature\":\"SIG\"}]"u8);
        var request = $$"""
            {"model":"m","reasoning":{"effort":"low"},"input":[{"role":"user","content":"q"},
             {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"t"}],"encrypted_content":"keyway-thinking-v1:{{blocks}}"},
             {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"r"}]}
            """;

        using var pipeline = TranslationPipeline.Create(WireFormat.OpenAIResponses, upstream, Encoding.UTF8.GetBytes(request), Ctx);

        var sent = Encoding.UTF8.GetString(pipeline.UpstreamBody.Memory.Span);
        Assert.Equal(expected is not null, sent.Contains("thinking", StringComparison.Ordinal) && sent.Contains("SIG", StringComparison.Ordinal));
        if (expected is not null)
        {
            Assert.Contains(expected, sent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ResponsesOnAnthropic_StreamEndsWithResponseCompleted_WithUsageAndTheToolCall()
    {
        var streamingRequest = """{"model":"codex-alias","input":"Weather in Paris? Grüße ✓","stream":true}"""u8.ToArray();
        var pipeline = TranslationPipeline.Create(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages, streamingRequest, Ctx);
        var output = new ArrayBufferWriter<byte>();
        var translator = pipeline.CreateStreamTranslator(out _);

        foreach (var upstreamEvent in ProtocolFixtures.Events(ProtocolFixtures.Sse("anthropic/messages_stream_thinking_tool_use.sse")))
        {
            translator.OnEvent(upstreamEvent, output);
        }
        translator.Complete(output);

        var events = ProtocolFixtures.Events(output.WrittenMemory.ToArray());
        using var last = JsonDocument.Parse(events[^1].Data);
        Assert.Equal("response.completed", last.RootElement.GetProperty("type").GetString());
        var streamed = last.RootElement.GetProperty("response");
        Assert.Equal("resp_test_1", streamed.GetProperty("id").GetString());
        Assert.True(streamed.GetProperty("usage").GetProperty("output_tokens").GetInt64() > 0);
        Assert.Contains(streamed.GetProperty("output").EnumerateArray(), item => item.GetProperty("type").GetString() == "function_call");
    }

    [Fact]
    public void ResponsesOnAnthropic_WholeAnswerBecomesAResponseObject()
    {
        var pipeline = TranslationPipeline.Create(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages,
            ProtocolFixtures.Json("translation/responses-chat/plain_text.request.json"), Ctx);

        using var response = JsonDocument.Parse(pipeline.TranslateResponse(ProtocolFixtures.Json("anthropic/message.json"), out _));

        Assert.Equal("response", response.RootElement.GetProperty("object").GetString());
        Assert.Equal("codex-alias", response.RootElement.GetProperty("model").GetString());
        Assert.Equal("completed", response.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void ChainedFailure_IsTheClientProtocolsTerminalEvent()
    {
        var pipeline = TranslationPipeline.Create(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages,
            ProtocolFixtures.Json("translation/responses-chat/plain_text.request.json"), Ctx);
        var output = new ArrayBufferWriter<byte>();

        pipeline.CreateStreamTranslator(out _).Fail(ProtocolErrors.BadGateway, "upstream went away", output);

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("response.failed", text);
        Assert.Contains("upstream went away", text);
    }

    /// <summary>
    /// Anthropic's mid-stream overload (https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events) reaches a
    /// Responses client through the Chat hop with OpenAI's code for it, which Codex reads from response.failed's error.code.
    /// </summary>
    [Fact]
    public void ResponsesOnAnthropic_MidStreamError_KeepsItsKindAsTheOpenAICode()
    {
        var streamingRequest = """{"model":"codex-alias","input":"hi","stream":true}"""u8.ToArray();
        var pipeline = TranslationPipeline.Create(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages, streamingRequest, Ctx);
        var output = new ArrayBufferWriter<byte>();
        var translator = pipeline.CreateStreamTranslator(out _);

        foreach (var upstreamEvent in ProtocolFixtures.Events(ProtocolFixtures.Sse("anthropic/messages_stream_error.sse")))
        {
            translator.OnEvent(upstreamEvent, output);
        }

        var events = ProtocolFixtures.Events(output.WrittenMemory.ToArray());
        using var last = JsonDocument.Parse(events[^1].Data);
        Assert.Equal("response.failed", last.RootElement.GetProperty("type").GetString());
        var error = last.RootElement.GetProperty("response").GetProperty("error");
        Assert.Equal("server_is_overloaded", error.GetProperty("code").GetString());
        Assert.Equal("Overloaded", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(WireFormat.AnthropicMessages, WireFormat.OpenAIChat, true)]
    [InlineData(WireFormat.OpenAIChat, WireFormat.AnthropicMessages, true)]
    [InlineData(WireFormat.OpenAIResponses, WireFormat.OpenAIChat, true)]
    [InlineData(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages, true)]
    [InlineData(WireFormat.OpenAIChat, WireFormat.OpenAIChat, false)]
    [InlineData(WireFormat.OpenAIChat, WireFormat.OpenAIResponses, false)]
    public void CanTranslate_NamesTheSupportedPairs(WireFormat client, WireFormat upstream, bool expected) =>
        Assert.Equal(expected, TranslationPipeline.CanTranslate(client, upstream));
}
