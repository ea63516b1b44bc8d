using System.Buffers;
using System.Text;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>Malformed bodies raise a readable TranslationException (the forwarder's 400); streams never throw.</summary>
public sealed class MalformedInputTests
{
    [Theory]
    [InlineData("not json", "not valid")]
    [InlineData("[]", "not valid")]
    [InlineData("{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "\"user\", \"assistant\" or \"system\"")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":42}]}", "string or an array of content blocks")]
    [InlineData("{\"max_tokens\":5}", "messages is required")]
    [InlineData("{\"max_tokens\":5,\"messages\":[null]}", "null where an array item belongs")]
    [InlineData("{\"model\":\"a\",\"max_tokens\":5,\"mo\\u0064el\":\"b\",\"messages\":[]}", "names the member \"model\" twice")]
    [InlineData("{\"messages\":[],\"tools\":[{\"name\":\"t\"}],\"tool_choice\":{\"type\":\"sometimes\"}}", "tool_choice.type")]
    public void AnthropicRequest_Malformed_Throws(string body, string expectedText)
    {
        var error = Assert.Throws<TranslationException>(() => AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(body), Ctx));
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"messages\":\"hi\"}", "not valid")]
    [InlineData("{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "robot")]
    [InlineData("{\"messages\":[],\"stop\":5}", "stop must be")]
    [InlineData("{\"messages\":[],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"t\"}}],\"tool_choice\":\"maybe\"}", "maybe")]
    public void ChatRequest_Malformed_Throws(string body, string expectedText)
    {
        var error = Assert.Throws<TranslationException>(() => ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(body), Ctx));
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Responses_WithoutChoicesOrNotJson_Throw()
    {
        var request = RequestFrom("anthropic_request_text.json");
        Assert.Throws<TranslationException>(() => ChatResponseToAnthropic.Translate("{\"choices\":[]}"u8, request, Ctx));
        Assert.Throws<TranslationException>(() => AnthropicResponseToChat.Translate("<html>"u8, request, Ctx));
    }

    [Fact]
    public void ChatStream_WithNothingReadable_EndsWithAnErrorEvent()
    {
        var output = RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), "data: {oops\n\ndata: 12\n\n"u8.ToArray());

        Assert.Equal(["error"], ParseSse(output).Select(e => e.Name));
    }

    [Fact]
    public void ChatStream_ChunkNamingAMemberTwice_IsSkipped()
    {
        var chunks = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\",\"content\":\"b\"}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

        var output = RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), Encoding.UTF8.GetBytes(chunks));

        var texts = ParseSse(output).Where(e => e.Name == "content_block_delta").Select(e => e.Data!["delta"]!["text"]!.GetValue<string>());
        Assert.Equal(["ok"], texts);
    }

    [Fact]
    public void AnthropicStream_Fail_WritesAnErrorChunkThenDone()
    {
        var translator = new AnthropicStreamToChat(RequestFrom("chat_request_text.json"), Ctx);
        var output = new ArrayBufferWriter<byte>();

        translator.Fail("upstream reset", output);
        translator.Complete(output);

        var events = ParseSse(output.WrittenSpan.ToArray());
        Assert.Equal(2, events.Count);
        Assert.Equal("upstream reset", events[0].Data!["error"]!["message"]!.GetValue<string>());
        Assert.Equal("[DONE]", events[1].Data!.GetValue<string>());
    }
}
