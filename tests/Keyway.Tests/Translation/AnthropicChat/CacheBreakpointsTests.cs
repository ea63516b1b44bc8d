using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Prompt-cache breakpoints on Chat requests translated for Anthropic. Anthropic caches only up to a block marked
/// <c>cache_control</c>, at most four per request, on tools, system blocks and message content blocks (tool_use and
/// tool_result included): https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching.
/// </summary>
public class CacheBreakpointsTests
{
    private const string AgentTurn = """
        {"model":"alias","messages":[
          {"role":"system","content":"You are a coding agent."},
          {"role":"developer","content":[{"type":"text","text":"Use the tools."}]},
          {"role":"user","content":"List the files."},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"shell","arguments":"{\"cmd\":\"ls\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"a.txt b.txt"}],
         "tools":[
          {"type":"function","function":{"name":"shell","parameters":{"type":"object"}}},
          {"type":"function","function":{"name":"apply_patch","parameters":{"type":"object"}}}]}
        """;

    [Fact]
    public void WithoutTheClientsOwn_TheLastTool_TheLastSystemBlock_AndTheLastBlockOfTheConversation_AreMarked()
    {
        var request = Translated(AgentTurn);

        Assert.Equal(3, Marks(request).Count);
        Assert.Equal("ephemeral", request["tools"]![1]!["cache_control"]!["type"]!.GetValue<string>());
        Assert.Null(request["tools"]![0]!["cache_control"]);
        Assert.Equal("Use the tools.", MarkedText(request["system"]![1]!));
        var lastBlock = request["messages"]!.AsArray()[^1]!["content"]!.AsArray()[^1]!;
        Assert.Equal("tool_result", lastBlock["type"]!.GetValue<string>());
        Assert.NotNull(lastBlock["cache_control"]);
    }

    [Fact]
    public void AConversationWithoutToolsOrSystem_IsMarkedAtItsLastBlock()
    {
        var request = Translated("""{"model":"alias","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},{"role":"user","content":"How are you?"}]}""");

        var mark = Assert.Single(Marks(request));
        Assert.Equal("How are you?", MarkedText(mark));
    }

    [Fact]
    public void TheClientsOwnBreakpoint_OnAContentPart_IsKept_WithItsTtl_AndNoneIsAdded()
    {
        var request = Translated("""
            {"model":"alias","messages":[
              {"role":"system","content":[{"type":"text","text":"A long manual.","cache_control":{"type":"ephemeral","ttl":"1h"}}]},
              {"role":"user","content":"Question?"}],
             "tools":[{"type":"function","function":{"name":"shell","parameters":{"type":"object"}}}]}
            """);

        var mark = Assert.Single(Marks(request));
        Assert.Equal("A long manual.", MarkedText(mark));
        Assert.Equal("1h", mark["cache_control"]!["ttl"]!.GetValue<string>());
    }

    [Fact]
    public void TheClientsOwnBreakpoint_InsideAToolResult_CountsAsTheClientsChoice()
    {
        var request = Translated("""
            {"model":"alias","messages":[
              {"role":"user","content":"Read it."},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"read","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"c1","content":[{"type":"text","text":"file body","cache_control":{"type":"ephemeral"}}]},
              {"role":"user","content":"Summarize."}]}
            """);

        Assert.Equal("file body", MarkedText(Assert.Single(Marks(request))));
    }

    [Fact]
    public void SwitchedOff_NothingIsMarked()
    {
        var body = ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(AgentTurn), Ctx with { PlacesCacheBreakpoints = false }).Body.ToArray();

        Assert.Empty(Marks(JsonNode.Parse(body)!));
    }

    private static JsonNode Translated(string chatRequest) =>
        JsonNode.Parse(ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(chatRequest), Ctx).Body.ToArray())!;

    private static string MarkedText(JsonNode block)
    {
        Assert.NotNull(block["cache_control"]);
        return block["text"]!.GetValue<string>();
    }

    /// <summary>Every object in the request that carries a cache_control, in document order.</summary>
    internal static List<JsonNode> Marks(JsonNode node) => node switch
    {
        JsonObject o => [.. (o["cache_control"] is null ? [] : new[] { node }), .. o.Select(p => p.Value).OfType<JsonNode>().SelectMany(Marks)],
        JsonArray a => [.. a.OfType<JsonNode>().SelectMany(Marks)],
        _ => [],
    };
}
