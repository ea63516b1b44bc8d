using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

public sealed class ChatStreamToResponsesTests
{
    [Theory]
    [InlineData("plain_text")]
    [InlineData("function_call")]
    [InlineData("custom_tool")]
    [InlineData("parallel_tool_calls")]
    [InlineData("error")]
    public void Fixture_TranslatesToTheExpectedEvents(string name)
    {
        var actual = RunStream(Sse(name + ".chat_stream.sse"), CodexRequest());

        AssertEventsEqual(System.Text.Encoding.UTF8.GetString(Sse(name + ".stream.sse")), actual);
    }

    [Theory]
    [InlineData("plain_text")]
    [InlineData("function_call")]
    [InlineData("custom_tool")]
    public void AccumulatedStream_EqualsTheNonStreamTranslation(string name)
    {
        var request = CodexRequest();
        var streamed = FinalResponse(RunStream(Sse(name + ".chat_stream.sse"), request));
        var whole = JsonNode.Parse(ChatResponseToResponses.Translate(Json(name + ".chat_response.json"), request, Context));

        Assert.True(JsonNode.DeepEquals(whole, streamed), $"{whole?.ToJsonString()}\n{streamed.ToJsonString()}");
    }

    [Fact]
    public void CustomToolCall_DoneItemCarriesTheRawPatch()
    {
        var events = ParseEvents(RunStream(Sse("custom_tool.chat_stream.sse"), CodexRequest()));

        var done = events.Single(e => e.Name == "response.output_item.done").Data["item"]!;
        Assert.Equal("custom_tool_call", done["type"]!.GetValue<string>());
        Assert.Equal("*** Begin Patch\n*** Update File: a.txt\n@@\n-Hello \"world\"\n+„Grüß dich“ ☃\n*** End Patch\n", done["input"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Name == "response.function_call_arguments.delta");
    }

    [Fact]
    public void FailMidStream_EndsWithResponseFailed_AndIgnoresWhatFollows()
    {
        var text = RunStream(Sse("plain_text.chat_stream.sse")[..600], CodexRequest(), failure: "upstream reset");

        var events = ParseEvents(text);
        Assert.Equal("response.failed", events[^1].Name);
        Assert.Equal("failed", events[^1].Data["response"]!["status"]!.GetValue<string>());
        Assert.Equal("upstream reset", events[^1].Data["response"]!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void UpstreamEndsWithoutDone_StillCompletesWhenOutputExists()
    {
        var stream = System.Text.Encoding.UTF8.GetString(Sse("plain_text.chat_stream.sse")).Replace("data: [DONE]", "", StringComparison.Ordinal);

        var events = ParseEvents(RunStream(System.Text.Encoding.UTF8.GetBytes(stream), CodexRequest()));

        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal("Arr, matey — semicolons be \"optional\", mostly. Ünd ☠️!", events[^1].Data["response"]!["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"message":"busy","type":"overloaded","code":429}""", "overloaded", "busy")]
    [InlineData("""{"message":{"detail":"busy"},"code":"rate_limit_exceeded","param":null}""", "rate_limit_exceeded", "The upstream reported an error.")]
    [InlineData("\"busy\"", "server_error", "busy")]
    public void ErrorWithMembersOfAnyType_EndsTheStream(string error, string code, string message)
    {
        var stream = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Partial\"}}]}\n\ndata: {\"error\":" + error + "}\n\n";

        var events = ParseEvents(RunStream(System.Text.Encoding.UTF8.GetBytes(stream), CodexRequest()));

        Assert.Equal("response.failed", events[^1].Name);
        Assert.Equal(code, events[^1].Data["response"]!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(message, events[^1].Data["response"]!["error"]!["message"]!.GetValue<string>());
    }

    // OpenRouter and newer vLLM name the reasoning text "reasoning" instead of DeepSeek's "reasoning_content"; MiniMax,
    // asked for reasoning_split, sends it in reasoning_details (https://platform.minimax.io/docs/api-reference/text-openai-api).
    [Theory]
    [InlineData("\"reasoning\":\"{0}\"")]
    [InlineData("\"reasoning_content\":\"{0}\"")]
    [InlineData("\"content\":\"\",\"reasoning_details\":[{{\"type\":\"reasoning.text\",\"text\":\"{0}\"}}]")]
    public void ReasoningUnderEitherName_BecomesTheReasoningItem(string member)
    {
        var chunk = (string delta) => "data: {\"choices\":[{\"index\":0,\"delta\":" + delta + "}]}\n\n";
        var reasoning = (string text) => chunk("{" + string.Format(System.Globalization.CultureInfo.InvariantCulture, member, text) + "}");
        var stream = reasoning("Let me") + reasoning(" think.") + chunk("{\"content\":\"Hi\"}")
            + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

        var response = FinalResponse(RunStream(System.Text.Encoding.UTF8.GetBytes(stream), CodexRequest()));

        Assert.Equal("reasoning", response["output"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("Let me think.", response["output"]![0]!["summary"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("Hi", response["output"]![1]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void UpstreamEndsWithNothing_Fails()
    {
        var events = ParseEvents(RunStream([], CodexRequest()));

        Assert.Equal(["response.created", "response.in_progress", "response.failed"], events.Select(e => e.Name));
    }

    [Fact]
    public void EventsCarryTheirTypeAndIncreasingSequenceNumbers()
    {
        var events = ParseEvents(RunStream(Sse("function_call.chat_stream.sse"), CodexRequest()));

        Assert.All(events, e => Assert.Equal(e.Name, e.Data["type"]!.GetValue<string>()));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()));
    }
}
