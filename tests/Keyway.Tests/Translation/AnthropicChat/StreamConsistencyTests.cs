using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Stream ⇄ non-stream consistency: folding the translated stream gives the same document as translating the
/// non-stream answer that the upstream stream folds into.
/// </summary>
public sealed class StreamConsistencyTests
{
    [Theory]
    [InlineData("openai/chat_stream_tool_call.sse", "anthropic_request_text.json")]
    [InlineData("chat_stream_reasoning_parallel_interleaved.sse", "anthropic_request_agent_turn.json")]
    [InlineData("chat_stream_stop_sequence.sse", "anthropic_request_text.json")]
    public void ChatStream_FoldsToTheTranslatedChatCompletion(string chatStream, string requestFixture)
    {
        var request = RequestFrom(requestFixture);
        var upstream = Sse(chatStream);
        var completion = StreamAccumulators.ChatCompletion(upstream);
        // A vLLM-style matched stop string rides on the finish chunk; the fold keeps it like the non-stream answer.
        var matched = ParseSse(upstream).Select(e => (e.Data as JsonObject)?["choices"]?.AsArray().FirstOrDefault()?["stop_reason"]).LastOrDefault(n => n is not null);
        completion["choices"]![0]!["stop_reason"] = matched?.DeepClone();

        var fromResponse = ChatResponseToAnthropic.Translate(Encoding.UTF8.GetBytes(completion.ToJsonString()), request, Ctx);
        var fromStream = StreamAccumulators.AnthropicMessage(RunStream(new ChatStreamToAnthropic(request, Ctx), upstream));

        AssertJsonEqual(fromResponse, Encoding.UTF8.GetBytes(fromStream.ToJsonString()));
    }

    [Theory]
    [InlineData("anthropic/messages_stream_thinking_tool_use.sse", "chat_request_agent_turn.json")]
    public void AnthropicStream_FoldsToTheTranslatedMessage(string anthropicStream, string requestFixture)
    {
        var request = RequestFrom(requestFixture);
        var upstream = Sse(anthropicStream);
        var message = StreamAccumulators.AnthropicMessage(upstream);

        var fromResponse = AnthropicResponseToChat.Translate(Encoding.UTF8.GetBytes(message.ToJsonString()), request, Ctx);
        var fromStream = StreamAccumulators.ChatCompletion(RunStream(new AnthropicStreamToChat(request, Ctx), upstream));

        AssertJsonEqual(Reparsed(fromResponse), Reparsed(Encoding.UTF8.GetBytes(fromStream.ToJsonString())));
    }

    /// <summary>Tool arguments are JSON text: compare them re-serialized so key spacing does not matter.</summary>
    private static byte[] Reparsed(byte[] chatCompletion)
    {
        var node = JsonNode.Parse(chatCompletion)!;
        foreach (var call in node["choices"]![0]!["message"]!["tool_calls"]?.AsArray() ?? [])
        {
            call!["function"]!["arguments"] = JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!.ToJsonString();
        }

        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
