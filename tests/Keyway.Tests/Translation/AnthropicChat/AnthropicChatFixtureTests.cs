using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Every translator over fixtures taken from the official references, compared as whole documents (JSON) or event by
/// event (SSE) with the expected fixture next to the input (<c>&lt;input&gt;.expected.json|sse</c>).
/// </summary>
public sealed class AnthropicChatFixtureTests
{
    [Theory]
    [InlineData("anthropic_request_agent_turn.json")]
    [InlineData("anthropic_request_text.json")]
    public void AnthropicRequest_ToChat(string input) =>
        Check(input, AnthropicRequestToChat.Translate(Json(input), Ctx).Body.ToArray());

    [Fact]
    public void AnthropicRequest_ToChat_ForAnOpenAIReasoningModel() =>
        Check("anthropic_request_reasoning_model.json", AnthropicRequestToChat.Translate(Json("anthropic_request_reasoning_model.json"), ReasoningModelCtx).Body.ToArray());

    [Theory]
    [InlineData("chat_request_agent_turn.json")]
    [InlineData("chat_request_text.json")]
    public void ChatRequest_ToAnthropic(string input) =>
        Check(input, ChatRequestToAnthropic.Translate(Json(input), Ctx).Body.ToArray());

    [Theory]
    [InlineData("chat_response_reasoning_tool_calls.json", "anthropic_request_agent_turn.json")]
    [InlineData("chat_response_stop_sequence.json", "anthropic_request_text.json")]
    [InlineData("openai/chat_completion.json", "anthropic_request_text.json")]
    public void ChatResponse_ToAnthropic(string input, string request) =>
        Check(input, ChatResponseToAnthropic.Translate(Json(input), RequestFrom(request), Ctx));

    [Theory]
    [InlineData("anthropic_response_thinking_tool_use.json", "chat_request_agent_turn.json")]
    [InlineData("anthropic/message.json", "chat_request_text.json")]
    public void AnthropicResponse_ToChat(string input, string request) =>
        Check(input, AnthropicResponseToChat.Translate(Json(input), RequestFrom(request), Ctx));

    [Theory]
    [InlineData("openai/chat_stream_tool_call.sse", "anthropic_request_text.json")]
    [InlineData("openai/chat_stream_error.sse", "anthropic_request_text.json")]
    [InlineData("chat_stream_rate_limit_error.sse", "anthropic_request_text.json")]
    [InlineData("chat_stream_reasoning_parallel_interleaved.sse", "anthropic_request_agent_turn.json")]
    [InlineData("chat_stream_ends_without_finish.sse", "anthropic_request_text.json")]
    [InlineData("chat_stream_stop_sequence.sse", "anthropic_request_text.json")]
    [InlineData("chat_stream_parallel_same_index.sse", "anthropic_request_agent_turn.json")]
    public void ChatStream_ToAnthropic(string input, string request) =>
        CheckSse(input, RunStream(new ChatStreamToAnthropic(RequestFrom(request), Ctx), Sse(input)));

    [Theory]
    [InlineData("anthropic/messages_stream_thinking_tool_use.sse", "chat_request_agent_turn.json")]
    [InlineData("anthropic/messages_stream_error.sse", "chat_request_text.json")]
    [InlineData("anthropic_stream_tool_without_arguments.sse", "chat_request_text.json")]
    [InlineData("anthropic_stream_content_in_block_start.sse", "chat_request_text.json")]
    public void AnthropicStream_ToChat(string input, string request) =>
        CheckSse(input, RunStream(new AnthropicStreamToChat(RequestFrom(request), Ctx), Sse(input)));

    private static string Expected(string input) =>
        $"{Path.GetFileNameWithoutExtension(input.Replace('/', '_'))}.expected{Path.GetExtension(input)}";

    private static void Check(string input, byte[] actual)
    {
        AssertJsonEqual(Json(Expected(input)), actual);
    }

    private static void CheckSse(string input, byte[] actual)
    {
        AssertSseEqual(Sse(Expected(input)), actual);
    }
}
