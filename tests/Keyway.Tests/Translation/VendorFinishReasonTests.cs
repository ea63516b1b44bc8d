using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Tests.Protocols;
using Keyway.Tests.Translation.AnthropicChat;
using Keyway.Tests.Translation.ResponsesChat;

namespace Keyway.Tests.Translation;

/// <summary>
/// Finish reasons beyond OpenAI's set, as GLM documents them (https://docs.bigmodel.cn/api-reference/模型-api/对话补全,
/// <c>finish_reason</c>: stop, tool_calls, length, <c>sensitive</c> — the content was blocked by the safety review —,
/// <c>network_error</c> — model inference failed —; and z.ai's <c>model_context_window_exceeded</c>,
/// https://docs.z.ai/api-reference/llm/chat-completion, anomalyco/opencode#18813): a blocked answer is a content filter,
/// one cut at the context window is cut like one at max tokens, and a broken one is an error, never a normal end.
/// </summary>
public sealed class VendorFinishReasonTests
{
    private static byte[] Completion(string finishReason) => Encoding.UTF8.GetBytes($$$"""
        {"id":"20251206","created":1764979200,"model":"glm-4.6","object":"chat.completion","choices":[{"index":0,"finish_reason":"{{{finishReason}}}","message":{"role":"assistant","content":"Part of an answer"}}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}
        """);

    private static byte[] Stream(string finishReason) => Encoding.UTF8.GetBytes($$$"""
        data: {"id":"20251206","created":1764979200,"model":"glm-4.6","choices":[{"index":0,"delta":{"role":"assistant","content":"Part of an answer"}}]}

        data: {"id":"20251206","created":1764979200,"model":"glm-4.6","choices":[{"index":0,"finish_reason":"{{{finishReason}}}","delta":{"role":"assistant","content":""}}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}

        data: [DONE]


        """);

    /// <summary>Anthropic's stop reasons (https://docs.anthropic.com/en/api/handling-stop-reasons): <c>refusal</c> is what Keyway gives content_filter.</summary>
    [Theory]
    [InlineData("sensitive", "refusal")]
    [InlineData("model_context_window_exceeded", "model_context_window_exceeded")]
    public void ToAnthropic_WholeAndStreamed(string finishReason, string stopReason)
    {
        var request = AnthropicChatHarness.RequestFrom("anthropic_request_text.json");

        var whole = JsonNode.Parse(ChatResponseToAnthropic.Translate(Completion(finishReason), request, AnthropicChatHarness.Ctx))!;
        var streamed = AnthropicChatHarness.ParseSse(AnthropicChatHarness.RunStream(new ChatStreamToAnthropic(request, AnthropicChatHarness.Ctx), Stream(finishReason)));

        Assert.Equal(stopReason, whole["stop_reason"]!.GetValue<string>());
        Assert.Equal(stopReason, streamed.Single(e => e.Name == "message_delta").Data!["delta"]!["stop_reason"]!.GetValue<string>());
    }

    /// <summary>Responses' incomplete reasons (https://platform.openai.com/docs/api-reference/responses/object#responses/object-incomplete_details).</summary>
    [Theory]
    [InlineData("sensitive", "content_filter")]
    [InlineData("model_context_window_exceeded", "max_output_tokens")]
    public void ToResponses_WholeAndStreamed(string finishReason, string incompleteReason)
    {
        var request = ResponsesChatHarness.CodexRequest();

        var whole = JsonNode.Parse(ChatResponseToResponses.Translate(Completion(finishReason), request, ResponsesChatHarness.Context))!;
        var completed = ResponsesChatHarness.ParseEvents(ResponsesChatHarness.RunStream(Stream(finishReason), request)).Last().Data["response"]!;

        foreach (var response in new[] { whole, completed })
        {
            Assert.Equal("incomplete", response["status"]!.GetValue<string>());
            Assert.Equal(incompleteReason, response["incomplete_details"]!["reason"]!.GetValue<string>());
        }
    }

    [Fact]
    public void NetworkError_InAWholeAnswer_IsNoAnswer()
    {
        Assert.Throws<TranslationException>(() =>
            ChatResponseToAnthropic.Translate(Completion("network_error"), AnthropicChatHarness.RequestFrom("anthropic_request_text.json"), AnthropicChatHarness.Ctx));
        Assert.Throws<TranslationException>(() =>
            ChatResponseToResponses.Translate(Completion("network_error"), ResponsesChatHarness.CodexRequest(), ResponsesChatHarness.Context));
    }

    [Fact]
    public void NetworkError_EndsAStreamWithAnError()
    {
        var anthropic = AnthropicChatHarness.ParseSse(AnthropicChatHarness.RunStream(
            new ChatStreamToAnthropic(AnthropicChatHarness.RequestFrom("anthropic_request_text.json"), AnthropicChatHarness.Ctx), Stream("network_error")));
        var responses = ResponsesChatHarness.ParseEvents(ResponsesChatHarness.RunStream(Stream("network_error"), ResponsesChatHarness.CodexRequest()));

        Assert.Equal("error", anthropic[^1].Name);
        Assert.Equal("api_error", anthropic[^1].Data!["error"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain(anthropic, e => e.Name == "message_stop");
        Assert.Equal("response.failed", responses[^1].Name);
        Assert.Equal("server_error", responses[^1].Data["response"]!["error"]!["code"]!.GetValue<string>());
    }
}
