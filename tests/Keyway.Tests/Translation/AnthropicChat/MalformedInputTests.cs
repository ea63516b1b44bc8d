using System.Buffers;
using System.Text;
using Keyway.Protocols;
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
    [InlineData("{\"max_tokens\":5,\"messages\":[],\"stop_sequences\":[\"a\",null]}", "null where an array item belongs")]
    [InlineData("{\"max_tokens\":5,\"messages\":[],\"tools\":[null]}", "null where an array item belongs")]
    [InlineData("{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[null]}]}", "null where an array item belongs")]
    [InlineData("{\"max_tokens\":5,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{\"a\":1,\"a\":2}}]}]}", "Duplicate property 'a'")]
    [InlineData("{\"model\":\"a\",\"max_tokens\":5,\"mo\\u0064el\":\"b\",\"messages\":[]}", "Duplicate property 'model'")]
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
    [InlineData("{\"messages\":[null]}", "null where an array item belongs")]
    [InlineData("{\"messages\":[],\"tools\":[null]}", "null where an array item belongs")]
    [InlineData("{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[null]}]}", "null where an array item belongs")]
    [InlineData("{\"messages\":[],\"messages\":[]}", "Duplicate property 'messages'")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"tool_calls\":\"y\"}]}", "is not valid: messages[0].tool_calls: expected an array, not a string.")]
    [InlineData("{\"messages\":[],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"t\"}}],\"tool_choice\":\"maybe\"}", "maybe")]
    public void ChatRequest_Malformed_Throws(string body, string expectedText)
    {
        var error = Assert.Throws<TranslationException>(() => ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(body), Ctx));
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullsInsideAToolInput_AreTheToolsBusiness()
    {
        const string body = """{"max_tokens":5,"messages":[{"role":"user","content":"u"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n","input":{"values":[1,null],"nested":[[null]]}}]}]}""";

        var chat = System.Text.Json.Nodes.JsonNode.Parse(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(body), Ctx).Body.ToArray())!;

        Assert.Equal("""{"values":[1,null],"nested":[[null]]}""", chat["messages"]![1]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
    }

    [Fact]
    public void AnthropicAnswer_WithANullBlock_Throws()
    {
        var error = Assert.Throws<TranslationException>(() => AnthropicResponseToChat.Translate(
            """{"type":"message","role":"assistant","content":[null],"stop_reason":"end_turn"}"""u8.ToArray(), RequestFrom("anthropic_request_text.json"), Ctx));

        Assert.Contains("null where an array item belongs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Responses_WithoutChoicesOrNotJson_Throw()
    {
        var request = RequestFrom("anthropic_request_text.json");
        Assert.Throws<TranslationException>(() => ChatResponseToAnthropic.Translate("{\"choices\":[]}"u8, request, Ctx));
        Assert.Throws<TranslationException>(() => AnthropicResponseToChat.Translate("<html>"u8.ToArray(), request, Ctx));
    }

    [Theory]
    [InlineData("{\"choices\":[null]}", "Null at byte 12")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":5}}]}", "Number at byte 34")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a\",\"con\\u0074ent\":\"b\"}}]}", "names the member \"content\" twice")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":[\"a\"]}}]}", "String at byte 35")]
    [InlineData("{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{\"arguments\":{}}}]}}]}", "StartObject at byte 63")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a\"}}]} {}", "after a single JSON value")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a", "not valid")]
    public void ChatCompletion_Unreadable_ThrowsSayingWhere(string completion, string expectedText)
    {
        var request = RequestFrom("anthropic_request_text.json");

        var error = Assert.Throws<TranslationException>(() => ChatResponseToAnthropic.Translate(Encoding.UTF8.GetBytes(completion), request, Ctx));

        Assert.StartsWith("The upstream chat completion is not valid: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Members the translator does not use are never read, so their values cannot spoil an answer; null is absence; text
    /// parts are joined, and parts without text (a refusal) add nothing.
    /// </summary>
    [Fact]
    public void ChatCompletion_IgnoresUnusedMembers_AndJoinsTextParts()
    {
        const string completion = """
            {"id":5,"object":null,"created":"soon","model":{},"system_fingerprint":[1],
             "choices":[{"index":0,"logprobs":{"content":[]},"finish_reason":"stop","stop_reason":null,
               "message":{"role":7,"refusal":null,"reasoning_content":null,"tool_calls":null,
                 "content":[{"type":"text","text":"Hel"},{"type":"refusal","refusal":"no"},{"type":"text","text":"lo","annotations":[]}]}}],
             "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":null,"completion_tokens_details":{"audio_tokens":"x"}}}
            """;

        var anthropic = System.Text.Json.Nodes.JsonNode.Parse(
            ChatResponseToAnthropic.Translate(Encoding.UTF8.GetBytes(completion), RequestFrom("anthropic_request_text.json"), Ctx))!;

        Assert.Equal("""[{"type":"text","text":"Hello"}]""", anthropic["content"]!.ToJsonString());
        Assert.Equal("end_turn", anthropic["stop_reason"]!.GetValue<string>());
        Assert.Equal(3, anthropic["usage"]!["input_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void ChatStream_WithNothingReadable_EndsWithAnErrorEvent()
    {
        var output = RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), "data: {oops\n\ndata: 12\n\n"u8.ToArray());

        Assert.Equal(["error"], ParseSse(output).Select(e => e.Name));
    }

    [Theory]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\",\"content\":\"b\"}}]}")]
    [InlineData("{\"choices\":[],\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{\"content\":5}}]}")]
    [InlineData("{\"choices\":[{\"index\":\"0\",\"delta\":{\"content\":\"a\"}}]}")]
    [InlineData("{\"choices\":[null]}")]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[null]}}]}")]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":{}}}]}}]}")]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]} {}")]
    [InlineData("[{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}]")]
    public void ChatStream_UnreadableChunk_IsSkipped(string chunk)
    {
        var chunks = $"data: {chunk}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

        var output = RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), Encoding.UTF8.GetBytes(chunks));

        Assert.Equal(["ok"], DeltaTexts(output));
    }

    /// <summary>Members the translator does not use are never read, so their values cannot spoil a chunk; null is absence.</summary>
    [Fact]
    public void ChatStream_IgnoresUnusedMembers_AndReadsNullAsAbsent()
    {
        const string chunks = """
            data: {"id":5,"created":"soon","model":null,"system_fingerprint":{},"choices":[{"index":0,"delta":{"role":7,"content":"hi","refusal":null},"logprobs":{"content":[]},"finish_reason":null}],"usage":null}

            data: {"choices":[{"index":0,"delta":null,"finish_reason":"stop","stop_reason":"END","matched_stop":12}]}

            data: {"choices":null,"usage":{"prompt_tokens":10,"completion_tokens":null,"total_tokens":10,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":4},"completion_tokens_details":null}}

            data: [DONE]


            """;

        var output = RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), Encoding.UTF8.GetBytes(chunks.ReplaceLineEndings("\n")));

        Assert.Equal(["hi"], DeltaTexts(output));
        var messageDelta = ParseSse(output).Single(e => e.Name == "message_delta").Data!;
        Assert.Equal("stop_sequence", messageDelta["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal("END", messageDelta["delta"]!["stop_sequence"]!.GetValue<string>());
        Assert.Equal(6, messageDelta["usage"]!["input_tokens"]!.GetValue<long>());
        Assert.Equal(4, messageDelta["usage"]!["cache_read_input_tokens"]!.GetValue<long>());
        Assert.Equal(0, messageDelta["usage"]!["output_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void ChatStream_ContentParts_AreJoined()
    {
        const string chunks = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"o\"},{\"type\":\"text\",\"text\":\"k\"}]},\"finish_reason\":\"stop\"}]}\n\n";

        var output = RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), Encoding.UTF8.GetBytes(chunks));

        Assert.Equal(["ok"], DeltaTexts(output));
    }

    [Theory]
    [InlineData("{\"error\":{\"message\":\"quota exceeded\",\"type\":\"insufficient_quota\",\"code\":429}}")]
    [InlineData("{\"error\":\"quota exceeded\"}")]
    public void ChatStream_ErrorChunk_EndsWithItsMessage(string chunk)
    {
        var upstream = Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"a\"}}}}]}}\n\ndata: {chunk}\n\n");

        var events = ParseSse(RunStream(new ChatStreamToAnthropic(RequestFrom("anthropic_request_text.json"), Ctx), upstream));

        Assert.Equal("error", events[^1].Name);
        Assert.Equal("quota exceeded", events[^1].Data!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void AnthropicStream_Fail_WritesAnErrorChunkThenDone()
    {
        var translator = new AnthropicStreamToChat(RequestFrom("chat_request_text.json"), Ctx);
        var output = new ArrayBufferWriter<byte>();

        translator.Fail(ProtocolErrors.BadGateway, "upstream reset", output);
        translator.Complete(output);

        var events = ParseSse(output.WrittenSpan.ToArray());
        Assert.Equal(2, events.Count);
        Assert.Equal("upstream reset", events[0].Data!["error"]!["message"]!.GetValue<string>());
        Assert.Equal("[DONE]", events[1].Data!.GetValue<string>());
    }

    private static IEnumerable<string> DeltaTexts(byte[] anthropicStream) =>
        ParseSse(anthropicStream).Where(e => e.Name == "content_block_delta").Select(e => e.Data!["delta"]!["text"]!.GetValue<string>());
}
