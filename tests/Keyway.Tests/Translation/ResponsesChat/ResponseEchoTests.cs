using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>
/// The response object repeats the request's settings (https://platform.openai.com/docs/api-reference/responses/object),
/// so a client reads back the metadata, instructions and tools it sent, as from OpenAI.
/// </summary>
public sealed class ResponseEchoTests
{
    private const string Request = """
        {"model":"codex-fast","input":"hi","instructions":"Be brief.","metadata":{"ticket":"T-1","ü":"☃"},
         "tools":[{"type":"function","name":"shell","parameters":{"type":"object"}}],"tool_choice":"auto",
         "temperature":0.2,"top_p":0.9,"parallel_tool_calls":false,"max_output_tokens":100,"truncation":"disabled",
         "reasoning":{"effort":"low","summary":"auto"},"text":{"verbosity":"low"},"user":"u-1"}
        """;

    private static readonly string[] Echoed =
        ["instructions", "metadata", "tools", "tool_choice", "temperature", "top_p", "parallel_tool_calls", "max_output_tokens", "truncation", "reasoning", "text", "user"];

    [Fact]
    public void WholeAnswer_RepeatsTheRequestSettings()
    {
        var request = ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(Request), Context);

        var response = JsonNode.Parse(ChatResponseToResponses.Translate(Json("plain_text.chat_response.json"), request, Context))!;

        AssertEchoed(response);
    }

    [Fact]
    public void Stream_RepeatsTheRequestSettingsInEveryResponseObject()
    {
        var request = ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(Request), Context);

        var responses = ParseEvents(RunStream(Sse("plain_text.chat_stream.sse"), request)).Where(e => e.Data["response"] is not null).ToList();

        Assert.Equal(3, responses.Count);
        Assert.All(responses, e => AssertEchoed(e.Data["response"]!));
    }

    private static void AssertEchoed(JsonNode response)
    {
        var sent = JsonNode.Parse(Request)!;
        foreach (var name in Echoed)
        {
            Assert.True(JsonNode.DeepEquals(sent[name], response[name]), $"{name}: sent {sent[name]?.ToJsonString()}, got {response[name]?.ToJsonString() ?? "nothing"}");
        }
    }
}
