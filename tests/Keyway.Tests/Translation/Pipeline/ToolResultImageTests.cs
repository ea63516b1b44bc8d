using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;

namespace Keyway.Tests.Translation.Pipeline;

/// <summary>
/// An image a tool returned (Codex's <c>view_image</c>, a screenshot tool) reaches the model on every path. Anthropic's
/// tool_result takes image blocks (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use:
/// "content" may hold text and image blocks); OpenAI's <c>tool</c> messages take text only
/// (https://platform.openai.com/docs/api-reference/chat/create: "For tool messages, only type text is supported"), so
/// for a Chat upstream the image goes to the user message right after the tool results, as Anthropic → Chat does.
/// </summary>
public sealed class ToolResultImageTests
{
    private const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    private static readonly TranslationContext Ctx = new("resp_img_1", 1_700_000_000, "alias", "upstream-model");

    [Fact]
    public void ChatToolMessageImages_BecomeImageBlocksOfTheToolResult()
    {
        var chat = $$$"""
            {"model":"m","messages":[
              {"role":"user","content":"look"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"screenshot","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":[
                {"type":"text","text":"two shots"},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Png}}}"}},
                {"type":"image_url","image_url":{"url":"https://example.com/shot.png"}}]}]}
            """;

        var anthropic = Parse(ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(chat), Ctx).Body);

        var expected = $$$"""
            [{"type":"text","text":"two shots"},
             {"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Png}}}"}},
             {"type":"image","source":{"type":"url","url":"https://example.com/shot.png"}}]
            """;
        AssertJson(expected, ToolResult(anthropic)["content"]);
    }

    [Fact]
    public void ResponsesToolOutputImages_OnAnAnthropicUpstream_BecomeImageBlocksOfTheToolResult()
    {
        using var pipeline = TranslationPipeline.Create(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages, ViewImageTurn(), Ctx);

        var anthropic = Parse(pipeline.UpstreamBody.Memory);

        var expected = $$$"""
            [{"type":"text","text":"the chart"},
             {"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Png}}}"}},
             {"type":"image","source":{"type":"url","url":"https://example.com/chart.png"}}]
            """;
        AssertJson(expected, ToolResult(anthropic)["content"]);
    }

    [Fact]
    public void ResponsesToolOutputImages_OnAChatUpstream_GoToTheUserMessageAfterTheToolResults()
    {
        var chat = Parse(ResponsesRequestToChat.Translate(ViewImageTurn(), Ctx).Body);

        var messages = chat["messages"]!.AsArray();
        AssertJson("""{"role":"tool","content":"the chart","tool_call_id":"call_1"}""", messages[^2]);
        var expected = $$$"""
            {"role":"user","content":[
              {"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Png}}}","detail":"high"}},
              {"type":"image_url","image_url":{"url":"https://example.com/chart.png"}},
              {"type":"text","text":"what does it show?"}]}
            """;
        AssertJson(expected, messages[^1]);
    }

    [Fact]
    public void ResponsesToolOutputOfOnlyAnImage_OnAChatUpstream_LeavesNoEmptyToolMessage()
    {
        var request = $$$"""
            {"model":"m","input":[
              {"type":"function_call","call_id":"call_1","name":"view_image","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_image","image_url":"https://example.com/a.png"}]}]}
            """;

        var messages = Parse(ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body)["messages"]!.AsArray();

        AssertJson($$"""{"role":"tool","content":"{{AnthropicMessagesToChat.EmptyToolResult}}","tool_call_id":"call_1"}""", messages[^2]);
        AssertJson("""{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}""", messages[^1]);
    }

    /// <summary>Codex's view_image turn: the call, its output (text and two images), then the user's question.</summary>
    private static byte[] ViewImageTurn() => Encoding.UTF8.GetBytes($$$"""
        {"model":"m","input":[
          {"type":"message","role":"user","content":"open the chart"},
          {"type":"function_call","call_id":"call_1","name":"view_image","arguments":"{\"path\":\"chart.png\"}"},
          {"type":"function_call_output","call_id":"call_1","output":[
            {"type":"input_text","text":"the chart"},
            {"type":"input_image","image_url":"data:image/png;base64,{{{Png}}}","detail":"high"},
            {"type":"input_image","image_url":"https://example.com/chart.png"}]},
          {"type":"message","role":"user","content":[{"type":"input_text","text":"what does it show?"}]}]}
        """);

    private static JsonNode ToolResult(JsonNode anthropic) =>
        anthropic["messages"]!.AsArray().SelectMany(message => message!["content"]!.AsArray()).Single(block => (string?)block!["type"] == "tool_result")!;

    private static JsonNode Parse(ReadOnlyMemory<byte> body) => JsonNode.Parse(body.Span)!;

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString());
}
