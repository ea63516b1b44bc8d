using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

public sealed class ResponsesRequestToChatTests
{
    [Theory]
    [InlineData("plain_text")]
    [InlineData("codex")]
    public void Fixture_TranslatesToTheExpectedChatRequest(string name)
    {
        var translated = ResponsesRequestToChat.Translate(Json(name + ".request.json"), Context);

        AssertJsonEqual(Json(name + ".chat_request.json"), translated.Body.ToArray());
    }

    [Fact]
    public void Fixture_ForAnOpenAIReasoningModel_NamesTheLimitMaxCompletionTokens_AndLeavesSamplingOut()
    {
        var context = Context with { UpstreamModel = "o3", ChatMaxCompletionTokens = true, ChatFixedSampling = true };

        var translated = ResponsesRequestToChat.Translate(Json("plain_text.request.json"), context);

        AssertJsonEqual(Json("plain_text.reasoning_model.chat_request.json"), translated.Body.ToArray());
    }

    [Fact]
    public void OnOpenAIsOwnApi_TheLimitIsMaxCompletionTokens_AndSamplingStays()
    {
        var context = Context with { UpstreamModel = "gpt-4.1", ChatMaxCompletionTokens = true };

        var chat = JsonNode.Parse(ResponsesRequestToChat.Translate(Json("plain_text.request.json"), context).Body.ToArray())!;

        Assert.Equal(256, (int)chat["max_completion_tokens"]!);
        Assert.False(chat.AsObject().ContainsKey("max_tokens"));
        Assert.Equal(0.7, (double)chat["temperature"]!);
        Assert.Equal(0.9, (double)chat["top_p"]!);
    }

    [Fact]
    public void CodexRequest_MarksApplyPatchCustom_AndKeepsTheStreamFlag()
    {
        var translated = CodexRequest();

        Assert.True(translated.Stream);
        Assert.True(translated.ToolNames.IsCustomTool("apply_patch"));
        Assert.False(translated.ToolNames.IsCustomTool("shell"));
    }

    [Fact]
    public void PreviousResponseId_IsRejectedWithTheDocumentedMessage()
    {
        var ex = Assert.Throws<TranslationException>(() => Translate("""{"model":"m","input":"hi","previous_response_id":"resp_1"}"""));

        Assert.Equal("previous_response_id is not supported: send the full input (store:false)", ex.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"input": 42}""")]
    [InlineData("""{"input": [7]}""")]
    [InlineData("""{"input": [{"type":"function_call_output","output":"no call id"}]}""")]
    public void MalformedRequest_Throws(string body)
    {
        Assert.Throws<TranslationException>(() => Translate(body));
    }

    [Theory]
    [InlineData("\"required\"", "\"required\"")]
    [InlineData("\"none\"", "\"none\"")]
    [InlineData("""{"type":"function","name":"shell"}""", """{"type":"function","function":{"name":"shell"}}""")]
    [InlineData("""{"type":"custom","name":"apply_patch"}""", """{"type":"function","function":{"name":"apply_patch"}}""")]
    [InlineData("""{"type":"allowed_tools","mode":"required","tools":[]}""", "\"required\"")]
    [InlineData("""{"type":"web_search"}""", "\"auto\"")]
    public void ToolChoice_IsMapped(string choice, string expected)
    {
        var body = Translate($$"""{"input":"hi","tools":[{"type":"function","name":"shell"}],"tool_choice":{{choice}}}""");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), body["tool_choice"]));
    }

    /// <summary>
    /// An empty <c>tools</c> array is what Codex's compaction request sends (<c>"tools":[],"tool_choice":"auto"</c>);
    /// DeepSeek and OpenAI reject an empty array, so none is written.
    /// </summary>
    [Theory]
    [InlineData("""[{"type":"web_search"}]""")]
    [InlineData("[]")]
    [InlineData("""[{"type":"namespace","name":"mcp","tools":[]}]""")]
    public void NoToolLeft_LeavesNoToolsChoiceOrParallelFlag(string tools)
    {
        var body = Translate($$"""{"input":"hi","tools":{{tools}},"tool_choice":"required","parallel_tool_calls":true}""");

        Assert.False(body.AsObject().ContainsKey("tools"), body.ToJsonString());
        Assert.Null(body["tool_choice"]);
        Assert.Null(body["parallel_tool_calls"]);
    }

    [Fact]
    public void TextFormatJsonSchema_BecomesResponseFormat()
    {
        var body = Translate("""{"input":"hi","text":{"format":{"type":"json_schema","name":"answer","strict":true,"schema":{"type":"object"}}}}""");

        var expected = JsonNode.Parse("""{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}}""");
        Assert.True(JsonNode.DeepEquals(expected, body["response_format"]));
        Assert.False(body["stream"]!.GetValue<bool>());
        Assert.Null(body["stream_options"]);
    }

    [Fact]
    public void ReasoningBeforeAUserTurn_IsNotAttachedToALaterAssistant()
    {
        var body = Translate("""
            {"input":[
              {"type":"reasoning","summary":[{"type":"summary_text","text":"orphan"}]},
              {"role":"user","content":"hi"},
              {"role":"assistant","content":"hello"}
            ]}
            """);

        var messages = body["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Null(messages[1]!["reasoning_content"]);
    }

    private static JsonNode Translate(string body) =>
        JsonNode.Parse(ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(body), Context).Body.ToArray())!;
}
