using System.Text;
using System.Text.Json.Nodes;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>
/// A translated stream opens one output item at a time, as OpenAI's own streams do: Codex keeps a single active item
/// and gives every delta to it (codex-rs core, "OutputTextDelta without active item"), so an item added before the one
/// before it is done gets the other item's deltas.
/// </summary>
public sealed class ChatStreamToResponsesItemOrderTests
{
    public static TheoryData<string, string[]> Streams => new()
    {
        {
            "reasoning, text, then two calls",
            [
                """{"reasoning_content":"Think."}""", """{"content":"Let me look."}""",
                """{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"shell","arguments":"{\"command\":"}}]}""",
                """{"tool_calls":[{"index":0,"function":{"arguments":"[\"ls\"]}"}}]}""",
                """{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"shell","arguments":"{\"command\":[\"pwd\"]}"}}]}""",
            ]
        },
        {
            "text after a tool call, then reasoning again",
            [
                """{"content":"First."}""",
                """{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"shell","arguments":"{}"}}]}""",
                """{"content":"Then."}""", """{"reasoning_content":"More thought."}""", """{"content":"Done."}""",
            ]
        },
        {
            "parallel calls whose arguments interleave by index",
            [
                """{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"shell","arguments":""}},{"index":1,"id":"call_b","type":"function","function":{"name":"search_docs","arguments":""}}]}""",
                """{"tool_calls":[{"index":0,"function":{"arguments":"{\"command\":"}},{"index":1,"function":{"arguments":"{\"q\":"}}]}""",
                """{"tool_calls":[{"index":1,"function":{"arguments":"\"Zürich\"}"}},{"index":0,"function":{"arguments":"[\"pwd\"]}"}}]}""",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void EveryItemIsDoneBeforeTheNextIsAdded(string name, string[] deltas)
    {
        var events = ParseEvents(RunStream(ChatStream(deltas), CodexRequest()));

        int? open = null;
        var next = 0;
        foreach (var (eventName, data) in events)
        {
            var index = data["output_index"]?.GetValue<int>();
            if (eventName == "response.output_item.added")
            {
                Assert.True(open is null, $"{name}: item {index} added while item {open} is open");
                Assert.Equal(next++, index);
                open = index;
            }
            else if (index is not null)
            {
                Assert.True(open == index, $"{name}: {eventName} for item {index} while item {open?.ToString() ?? "none"} is open");
                if (eventName == "response.output_item.done")
                {
                    open = null;
                }
            }
        }

        Assert.Null(open);
        Assert.Equal("response.completed", events[^1].Name);
    }

    [Fact]
    public void InterleavedParallelCalls_EachComeOutWhole()
    {
        var deltas = Streams.Single(row => (string)row[0] == "parallel calls whose arguments interleave by index")[1];

        var output = FinalResponse(RunStream(ChatStream((string[])deltas), CodexRequest()))["output"]!.AsArray();

        Assert.Equal(["""{"command":["pwd"]}""", """{"q":"Zürich"}"""], output.Select(item => item!["arguments"]!.GetValue<string>()));
    }

    [Fact]
    public void TextAfterAToolCall_IsASecondMessageWithItsOwnId()
    {
        var deltas = Streams.Single(row => (string)row[0] == "text after a tool call, then reasoning again")[1];

        var output = FinalResponse(RunStream(ChatStream((string[])deltas), CodexRequest()))["output"]!.AsArray();

        Assert.Equal(["message", "function_call", "message", "reasoning", "message"], output.Select(item => item!["type"]!.GetValue<string>()));
        Assert.Equal(output.Count, output.Select(item => item!["id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal("Then.", output[2]!["content"]![0]!["text"]!.GetValue<string>());
    }

    // Item status is in_progress, completed or incomplete (https://platform.openai.com/docs/api-reference/responses/object):
    // the item the upstream was writing when it failed or was cut is not "completed".
    [Fact]
    public void FailedMidMessage_TheMessageIsIncomplete_TheItemsBeforeItCompleted()
    {
        var stream = Encoding.UTF8.GetString(ChatStream(["""{"content":"First."}""",
            """{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"shell","arguments":"{}"}}]}""",
            """{"content":"Then"}"""]));
        var cut = Encoding.UTF8.GetBytes(stream[..stream.LastIndexOf("data: {\"choices\":[{\"index\":0,\"delta\":{},", StringComparison.Ordinal)]);

        var response = FinalResponse(RunStream(cut, CodexRequest(), failure: "upstream reset"));

        Assert.Equal(["completed", "completed", "incomplete"], response["output"]!.AsArray().Select(item => item!["status"]!.GetValue<string>()));
    }

    [Fact]
    public void CutByTheOutputLimit_TheLastItemIsIncompleteInItsDoneEventAndTheResponse()
    {
        var events = ParseEvents(RunStream(ChatStream(["""{"content":"Long answ"}"""], finishReason: "length"), CodexRequest()));

        var done = events.Single(e => e.Name == "response.output_item.done").Data["item"]!;
        Assert.Equal("incomplete", done["status"]!.GetValue<string>());
        Assert.Equal("incomplete", events[^1].Data["response"]!["output"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("incomplete", events[^1].Data["response"]!["status"]!.GetValue<string>());
    }

    internal static byte[] ChatStream(IEnumerable<string> deltas, string finishReason = "stop")
    {
        var sse = new StringBuilder();
        foreach (var delta in deltas)
        {
            sse.Append("data: {\"choices\":[{\"index\":0,\"delta\":").Append(delta).Append("}]}\n\n");
        }

        sse.Append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"").Append(finishReason).Append("\"}]}\n\ndata: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sse.ToString());
    }
}
