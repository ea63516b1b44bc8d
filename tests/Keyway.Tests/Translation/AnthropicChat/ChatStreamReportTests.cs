using System.Buffers;
using System.Text;
using Keyway.Protocols.OpenAI;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Protocols.Usage;
using Keyway.Tests.Protocols;
using Keyway.Tests.Translation.ResponsesChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// A translated Chat stream is logged from its translator's read (<see cref="ChatStreamReport"/>) instead of a second
/// read by <see cref="ChatStreamObserver"/>: for every stream both translators must report what the observer would,
/// usage merged across chunks, the stream's proper end and an in-stream error included.
/// </summary>
public sealed class ChatStreamReportTests
{
    private const string Text = """data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""" + "\n\n";
    private const string Finish = """data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n";
    private const string Done = "data: [DONE]\n\n";

    public static TheoryData<string> FixtureStreams() => new()
    {
        "openai/chat_stream_tool_call.sse",
        "openai/chat_stream_text_no_usage.sse",
        "openai/chat_stream_error.sse",
        $"{Folder}/chat_stream_ends_without_finish.sse",
        $"{Folder}/chat_stream_reasoning_parallel_interleaved.sse",
        $"{Folder}/chat_stream_stop_sequence.sse",
        "translation/responses-chat/plain_text.chat_stream.sse",
        "translation/responses-chat/function_call.chat_stream.sse",
        "translation/responses-chat/parallel_tool_calls.chat_stream.sse",
        "translation/responses-chat/custom_tool.chat_stream.sse",
        "translation/responses-chat/error.chat_stream.sse",
    };

    [Theory]
    [MemberData(nameof(FixtureStreams))]
    public void FixtureStream_IsReportedAsTheObserverSeesIt(string fixture) => AssertReportedAsObserved(ProtocolFixtures.Sse(fixture));

    [Theory]
    // Usage spread over chunks (prompt first, completion at the end), as some compatible servers send it.
    [InlineData(Text + """data: {"choices":[],"usage":{"prompt_tokens":40}}""" + "\n\n" + Finish + """data: {"choices":[],"usage":{"completion_tokens":7,"completion_tokens_details":{"reasoning_tokens":2}}}""" + "\n\n" + Done)]
    // Cumulative usage in every chunk; DeepSeek's cache hits under their own name.
    [InlineData("""data: {"choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":9,"completion_tokens":1}}""" + "\n\n"
        + """data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"prompt_cache_hit_tokens":8}}""" + "\n\n" + Done)]
    // Ends at [DONE] without a finish_reason; ends at a finish_reason without [DONE]; ends with neither.
    [InlineData(Text + Done)]
    [InlineData(Text + Finish)]
    [InlineData(Text + Text)]
    // A finish_reason on a second choice only; usage null; an error chunk without a message.
    [InlineData("""data: {"choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{},"finish_reason":"stop"}],"usage":null}""" + "\n\n")]
    [InlineData(Text + """data: {"error":{"type":"overloaded"}}""" + "\n\n")]
    public void InlineStream_IsReportedAsTheObserverSeesIt(string stream) => AssertReportedAsObserved(Encoding.UTF8.GetBytes(stream));

    private static void AssertReportedAsObserved(byte[] stream)
    {
        var observer = new ChatStreamObserver();
        foreach (var e in ProtocolFixtures.Events(stream))
        {
            observer.Observe(e);
        }
        var expected = (observer.Usage, observer.Completed, observer.ErrorMessage);

        var forAnthropic = new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx);
        var forResponses = new ChatStreamToResponses(ResponsesChatHarness.CodexRequest(), ResponsesChatHarness.Context);

        Assert.Equal(expected, ReportAfterReading(forAnthropic, forAnthropic.Report, stream));
        Assert.Equal(expected, ReportAfterReading(forResponses, forResponses.Report, stream));
    }

    private static (TokenUsage, bool, string?) ReportAfterReading(IStreamTranslator translator, ChatStreamReport report, byte[] stream)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var e in ProtocolFixtures.Events(stream))
        {
            translator.OnEvent(e, output);
        }
        return (report.Usage, report.Completed, report.ErrorMessage);
    }
}
