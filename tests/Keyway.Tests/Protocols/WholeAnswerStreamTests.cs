using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.WholeAnswers;

namespace Keyway.Tests.Protocols;

/// <summary>
/// A whole answer as its protocol's stream carries exactly that answer: a client that joins the events as the
/// streaming references describe (Chat deltas, Anthropic content blocks and their deltas) gets the answer back.
/// </summary>
public sealed class WholeAnswerStreamTests
{
    private const int MaxErrorChars = 500;

    [Theory]
    [InlineData("anthropic/message.json")]
    [InlineData("translation/anthropic-chat/anthropic_response_thinking_tool_use.json")]
    public void AnthropicMessage_StreamsAsMessageStartBlocksDeltaAndStop_ThatJoinIntoTheMessage(string fixture)
    {
        var message = ProtocolFixtures.Json(fixture);

        var events = Events(WholeAnswerStream.ToEvents(WireFormat.AnthropicMessages, message, MaxErrorChars));

        Assert.Equal("message_start", events[0].Name);
        Assert.Equal(["message_delta", "message_stop"], events[^2..].Select(e => e.Name));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(message), JoinAnthropic(events)));
    }

    [Theory]
    [InlineData("openai/chat_completion.json")]
    [InlineData("translation/anthropic-chat/chat_response_reasoning_tool_calls.json")]
    public void ChatCompletion_StreamsAsAChunk_ThenItsUsage_ThenDone_ThatJoinIntoTheCompletion(string fixture)
    {
        var completion = ProtocolFixtures.Json(fixture);

        var events = Events(WholeAnswerStream.ToEvents(WireFormat.OpenAIChat, completion, MaxErrorChars));

        Assert.Equal("[DONE]", events[^1].Data);
        var usageChunk = JsonNode.Parse(events[^2].Data)!;
        Assert.Empty(usageChunk["choices"]!.AsArray());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(completion), JoinChat(JsonNode.Parse(events[0].Data)!.AsObject(), usageChunk)));
    }

    /// <summary>A body that is no answer in its format has no stream, but what its error object says, wherever it stands.</summary>
    [Theory]
    [InlineData(WireFormat.OpenAIChat, """{"error":{"message":"Insufficient balance","type":"insufficient_quota"}}""", "Insufficient balance")]
    [InlineData(WireFormat.OpenAIChat, """{"id":"x","object":"chat.completion","error":{"message":"quota"}}""", "quota")]
    [InlineData(WireFormat.OpenAIChat, """{"id":"x","choices":[]}""", null)]
    [InlineData(WireFormat.AnthropicMessages, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", "Overloaded")]
    [InlineData(WireFormat.OpenAIResponses, """{"error":{"message":"bad"}}""", "bad")]
    [InlineData(WireFormat.OpenAIChat, "[1]", null)]
    [InlineData(WireFormat.OpenAIChat, """{"error":{"message":"cut""", null)]
    public void ABodyThatIsNoAnswer_HasNoStream_ButWhatItsErrorSays(WireFormat format, string body, string? error)
    {
        var whole = WholeAnswerStream.ToEvents(format, System.Text.Encoding.UTF8.GetBytes(body), MaxErrorChars);

        Assert.Equal(new WholeAnswerEvents(null, error, BrokeOff: false), whole);
    }

    /// <summary>
    /// A completion one of whose choices ended with GLM's <c>network_error</c>
    /// (https://docs.bigmodel.cn/api-reference/模型-api/对话补全) broke off: no stream that would end it as an answer, but the reason.
    /// </summary>
    [Theory]
    [InlineData("""{"id":"1","choices":[{"index":0,"finish_reason":"network_error","message":{"role":"assistant","content":"Part"}}]}""")]
    [InlineData("""{"id":"1","choices":[{"index":0,"finish_reason":"stop","message":{"content":"A"}},{"index":1,"finish_reason":"network_\u0065rror","message":{"content":"B"}}]}""")]
    public void ChatCompletionThatBrokeOff_HasNoStream_ButTheReason(string body)
    {
        var whole = WholeAnswerStream.ToEvents(WireFormat.OpenAIChat, System.Text.Encoding.UTF8.GetBytes(body), MaxErrorChars);

        Assert.Equal(new WholeAnswerEvents(null, "The upstream's answer broke off (finish_reason \"network_error\").", BrokeOff: true), whole);
    }

    private static List<FramedEvent> Events(WholeAnswerEvents whole) => Events(whole.Events);

    private static List<FramedEvent> Events(byte[]? stream)
    {
        Assert.NotNull(stream);
        return ProtocolFixtures.Frame(stream, [stream.Length]).Events;
    }

    /// <summary>The message from message_start, its blocks from their start events and deltas, the end from message_delta.</summary>
    private static JsonObject JoinAnthropic(List<FramedEvent> events)
    {
        var message = JsonNode.Parse(events[0].Data)!["message"]!.AsObject();
        var content = message["content"]!.AsArray();
        var inputs = new Dictionary<int, string>();
        foreach (var data in events.Skip(1).Select(e => JsonNode.Parse(e.Data)!))
        {
            var index = data["index"]?.GetValue<int>() ?? -1;
            var delta = data["delta"];
            switch (data["type"]!.GetValue<string>())
            {
                case "content_block_start":
                    content.Add(data["content_block"]!.DeepClone());
                    break;
                case "content_block_delta" when delta!["type"]!.GetValue<string>() == "input_json_delta":
                    inputs[index] = inputs.GetValueOrDefault(index, "") + delta["partial_json"]!.GetValue<string>();
                    break;
                case "content_block_delta":
                    var field = delta!["type"]!.GetValue<string>().Replace("_delta", "", StringComparison.Ordinal);
                    content[index]![field] = content[index]![field]!.GetValue<string>() + delta[field]!.GetValue<string>();
                    break;
                case "content_block_stop" when inputs.TryGetValue(index, out var input):
                    content[index]!["input"] = JsonNode.Parse(input);
                    break;
                case "message_delta":
                    message["stop_reason"] = delta!["stop_reason"]!.DeepClone();
                    message["stop_sequence"] = delta["stop_sequence"]?.DeepClone();
                    message["usage"] = data["usage"]!.DeepClone();
                    break;
            }
        }
        return message;
    }

    /// <summary>The chunk as a completion: its deltas as messages (tool calls without the index chunks add), the usage chunk's usage.</summary>
    private static JsonObject JoinChat(JsonObject chunk, JsonNode usageChunk)
    {
        chunk["object"] = "chat.completion";
        foreach (var choice in chunk["choices"]!.AsArray())
        {
            var delta = choice!["delta"]!.AsObject();
            choice.AsObject().Remove("delta");
            foreach (var call in delta["tool_calls"]?.AsArray() ?? [])
            {
                call!.AsObject().Remove("index");
            }
            choice["message"] = delta;
        }
        chunk["usage"] = usageChunk["usage"]!.DeepClone();
        return chunk;
    }
}
