using System.Buffers;
using System.Text;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Tests.Protocols;

namespace Keyway.Tests.Translation.Pipeline;

/// <summary>
/// A tool call without a name cannot be run by any client: Claude Code got stop_reason tool_use with no block, Codex a
/// function_call named "". Every translated answer treats it as the upstream's failure (a whole answer: the 502 of an
/// untranslatable answer; a stream: the client protocol's error event), with one message.
/// </summary>
public sealed class NamelessToolCallTests
{
    private static readonly TranslationContext Ctx = new("resp_nameless", 1_700_000_000, "alias", "upstream-model");

    private const string ChatCompletion = """
        {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"tool_calls",
         "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"","arguments":"{}"}}]}}]}
        """;

    private const string ChatStream = """
        data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"arguments":"{}"}}]}}]}

        data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

        data: [DONE]


        """;

    private const string AnthropicMessage = """
        {"id":"msg_1","type":"message","role":"assistant","model":"m","stop_reason":"tool_use","stop_sequence":null,
         "content":[{"type":"tool_use","id":"toolu_1","name":"","input":{}}],"usage":{"input_tokens":5,"output_tokens":3}}
        """;

    private const string AnthropicStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"","input":{}}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    [Fact]
    public void WholeAnswers_AreUntranslatable()
    {
        var chatRequest = ChatRequest();
        var anthropicRequest = AnthropicRequestToChat.Translate("""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"""u8.ToArray(), Ctx);
        var responsesRequest = ResponsesRequestToChat.Translate("""{"model":"m","input":"hi"}"""u8.ToArray(), Ctx);

        Assert.Equal(TranslationException.NamelessToolCall, Assert.Throws<TranslationException>(
            () => ChatResponseToAnthropic.Translate(Encoding.UTF8.GetBytes(ChatCompletion), anthropicRequest, Ctx)).Message);
        Assert.Equal(TranslationException.NamelessToolCall, Assert.Throws<TranslationException>(
            () => ChatResponseToResponses.Translate(Encoding.UTF8.GetBytes(ChatCompletion), responsesRequest, Ctx)).Message);
        Assert.Equal(TranslationException.NamelessToolCall, Assert.Throws<TranslationException>(
            () => AnthropicResponseToChat.Translate(Encoding.UTF8.GetBytes(AnthropicMessage), chatRequest, Ctx)).Message);
    }

    [Fact]
    public void ChatStream_ToAnthropic_EndsWithAnErrorEvent()
    {
        var anthropicRequest = AnthropicRequestToChat.Translate("""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"stream":true}"""u8.ToArray(), Ctx);

        var output = Run(new ChatStreamToAnthropic(anthropicRequest, Ctx), ChatStream);

        Assert.Contains("event: error", output);
        Assert.Contains(TranslationException.NamelessToolCall, output);
        Assert.DoesNotContain("message_stop", output);
    }

    [Fact]
    public void ChatStream_ToResponses_EndsWithResponseFailed()
    {
        var responsesRequest = ResponsesRequestToChat.Translate("""{"model":"m","input":"hi","stream":true}"""u8.ToArray(), Ctx);

        var output = Run(new ChatStreamToResponses(responsesRequest, Ctx), ChatStream);

        Assert.Contains("response.failed", output);
        Assert.Contains(TranslationException.NamelessToolCall, output);
        Assert.DoesNotContain("function_call", output);
    }

    [Fact]
    public void AnthropicStream_ToChat_EndsWithAnErrorChunk()
    {
        var output = Run(new AnthropicStreamToChat(ChatRequest(), Ctx), AnthropicStream);

        Assert.Contains("\"error\"", output);
        Assert.Contains(TranslationException.NamelessToolCall, output);
        Assert.DoesNotContain("tool_calls", output);
    }

    private static TranslatedRequest ChatRequest() =>
        ChatRequestToAnthropic.Translate("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray(), Ctx);

    private static string Run(IStreamTranslator translator, string upstream)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var e in ProtocolFixtures.Events(Encoding.UTF8.GetBytes(upstream.ReplaceLineEndings("\n"))))
        {
            translator.OnEvent(e, output);
        }

        translator.Complete(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
