using System.Text;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ChatStreamToResponsesItemOrderTests;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>
/// The <c>status</c> of a translated stream's items. Every output item OpenAI returns has one, reasoning included:
/// "The status of the item. One of in_progress, completed, or incomplete. Populated when items are returned via API."
/// (https://platform.openai.com/docs/api-reference/responses/object, output → reasoning → status; the same for message
/// and function_call). An item is in_progress in <c>response.output_item.added</c>, and completed, or incomplete when
/// the upstream was still writing it as the answer was cut or failed, in <c>response.output_item.done</c> and the final
/// response.
/// </summary>
public sealed class ChatStreamToResponsesStatusTests
{
    private const string ShellCall = """{"index":0,"id":"call_a","type":"function","function":{"name":"shell","arguments":"{\"command\":"}}""";
    private const string SearchCall = """{"index":1,"id":"call_b","type":"function","function":{"name":"search_docs","arguments":"{\"q\":\"Zürich\"}"}}""";
    private const string ReadCall = """{"index":2,"id":"call_c","type":"function","function":{"name":"shell","arguments":"{\"comm"}}""";

    [Fact]
    public void ReasoningItem_IsInProgressWhenAdded_AndCompletedWhenDone()
    {
        var events = ParseEvents(RunStream(ChatStream(["""{"reasoning_content":"Think."}""", """{"content":"Hi"}"""]), CodexRequest()));

        Assert.Equal("in_progress", events.First(e => e.Name == "response.output_item.added").Data["item"]!["status"]!.GetValue<string>());
        Assert.Equal("completed", events.First(e => e.Name == "response.output_item.done").Data["item"]!["status"]!.GetValue<string>());
        Assert.Equal("completed", events[^1].Data["response"]!["output"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void ReasoningCutByTheOutputLimit_IsIncomplete()
    {
        var response = FinalResponse(RunStream(ChatStream(["""{"reasoning_content":"Let me thi"}"""], finishReason: "length"), CodexRequest()));

        Assert.Equal("incomplete", response["output"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void WholeAnswer_ReasoningItemIsCompleted()
    {
        var answer = """{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","reasoning_content":"Think.","content":"Hi"},"finish_reason":"stop"}]}""";

        var response = System.Text.Json.Nodes.JsonNode.Parse(ChatResponseToResponses.Translate(Encoding.UTF8.GetBytes(answer), CodexRequest(), Context))!;

        Assert.Equal("completed", response["output"]![0]!["status"]!.GetValue<string>());
    }

    // Three parallel calls: the first still writing its arguments, the other two held back behind it, the second one's
    // arguments whole. The upstream was writing them at once when the answer stopped: the first is cut as the last is,
    // the second is complete.
    [Theory]
    [InlineData("length")]
    [InlineData("content_filter")]
    public void ParallelCallsHeldBack_WhenTheAnswerIsCut_AreAllIncomplete(string finishReason)
    {
        var events = ParseEvents(RunStream(ChatStream([$$"""{"tool_calls":[{{ShellCall}},{{SearchCall}},{{ReadCall}}]}"""], finishReason), CodexRequest()));

        var done = events.Where(e => e.Name == "response.output_item.done").Select(e => e.Data["item"]!["status"]!.GetValue<string>());
        Assert.Equal(["incomplete", "completed", "incomplete"], done);
        Assert.Equal(["incomplete", "completed", "incomplete"], events[^1].Data["response"]!["output"]!.AsArray().Select(item => item!["status"]!.GetValue<string>()));
    }

    [Fact]
    public void ParallelCallsHeldBack_WhenTheUpstreamFails_AreAllInTheFailedResponse_Incomplete()
    {
        var stream = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[" + ShellCall + "," + SearchCall + "," + ReadCall + "]}}]}\n\n";

        var response = FinalResponse(RunStream(Encoding.UTF8.GetBytes(stream), CodexRequest(), failure: "upstream reset"));

        Assert.Equal("failed", response["status"]!.GetValue<string>());
        Assert.Equal(["call_a", "call_b", "call_c"], response["output"]!.AsArray().Select(item => item!["call_id"]!.GetValue<string>()));
        Assert.Equal(["incomplete", "completed", "incomplete"], response["output"]!.AsArray().Select(item => item!["status"]!.GetValue<string>()));
    }

    // The same cut in an answer that is not streamed: a call left with unfinished arguments is cut, wherever it stands.
    [Fact]
    public void WholeAnswerCut_ACallWithUnfinishedArguments_IsIncomplete()
    {
        var answer = """{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"shell","arguments":"{\"command\":"}},{"id":"call_b","type":"function","function":{"name":"search_docs","arguments":"{\"q\":\"Zürich\"}"}},{"id":"call_c","type":"function","function":{"name":"shell","arguments":"{}"}}]},"finish_reason":"length"}]}""";

        var response = System.Text.Json.Nodes.JsonNode.Parse(ChatResponseToResponses.Translate(Encoding.UTF8.GetBytes(answer), CodexRequest(), Context))!;

        Assert.Equal(["incomplete", "completed", "incomplete"], response["output"]!.AsArray().Select(item => item!["status"]!.GetValue<string>()));
    }

    [Fact]
    public void ParallelCallsOfAWholeAnswer_StillCompleteEachOther()
    {
        var response = FinalResponse(RunStream(ChatStream([$$"""{"tool_calls":[{{SearchCall.Replace("\"index\":1", "\"index\":0", StringComparison.Ordinal)}}]}""",
            """{"tool_calls":[{"index":1,"id":"call_d","type":"function","function":{"name":"shell","arguments":"{}"}}]}"""]), CodexRequest()));

        Assert.Equal(["completed", "completed"], response["output"]!.AsArray().Select(item => item!["status"]!.GetValue<string>()));
    }
}
