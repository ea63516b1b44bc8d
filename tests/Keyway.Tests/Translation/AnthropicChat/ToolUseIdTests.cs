using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Anthropic takes tool_use ids of <c>^[a-zA-Z0-9_-]+$</c> only (https://docs.anthropic.com/en/api/messages, the
/// tool_use block's <c>id</c>); Chat and Responses histories carry whatever the upstream that made the call chose, such as
/// Kimi's <c>functions.get_weather:0</c>. Each such id becomes a valid one, the same in the tool_use and its tool_result,
/// and never the same as another id of the conversation.
/// </summary>
public sealed partial class ToolUseIdTests
{
    [Fact]
    public void KimiIds_BecomeValid_AndStayPairedWithTheirResults()
    {
        var anthropic = Translate(History("functions.get_weather:0", "functions.get_weather:1"));

        var (uses, results) = Ids(anthropic);
        Assert.All(uses.Concat(results), id => Assert.Matches(AnthropicId(), id));
        Assert.Equal(uses, results);
        Assert.NotEqual(uses[0], uses[1]);
    }

    [Fact]
    public void ValidIds_AreKeptAsTheyAre()
    {
        var (uses, results) = Ids(Translate(History("call_1", "toolu_01A-b")));

        Assert.Equal(["call_1", "toolu_01A-b"], uses);
        Assert.Equal(uses, results);
    }

    [Fact]
    public void SanitizedId_IsTheSameOnEveryTurn()
    {
        var first = Ids(Translate(History("functions.a:0", "call_2"))).Uses[0];
        var again = Ids(Translate(History("functions.a:0", "functions.b:1"))).Uses[0];

        Assert.Equal(first, again);
    }

    [Fact]
    public void SanitizedId_NeverTakesAnotherIdOfTheConversation()
    {
        var clash = Ids(Translate(History("a:b", "x"))).Uses[0];

        var (uses, results) = Ids(Translate(History("a:b", clash)));

        Assert.Equal(2, uses.Distinct().Count());
        Assert.Equal(clash, uses[1]);
        Assert.Equal(uses, results);
    }

    private static string History(string firstId, string secondId) => $$$"""
        {"model":"m","messages":[
          {"role":"user","content":"weather?"},
          {"role":"assistant","content":null,"tool_calls":[
            {"id":"{{{firstId}}}","type":"function","function":{"name":"get_weather","arguments":"{}"}},
            {"id":"{{{secondId}}}","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"{{{firstId}}}","content":"sunny"},
          {"role":"tool","tool_call_id":"{{{secondId}}}","content":"rainy"}]}
        """;

    private static JsonNode Translate(string chat) =>
        JsonNode.Parse(ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(chat), Ctx).Body.ToArray())!;

    private static (List<string> Uses, List<string> Results) Ids(JsonNode anthropic)
    {
        var blocks = anthropic["messages"]!.AsArray().SelectMany(message => message!["content"]!.AsArray()).ToList();
        return (
            [.. blocks.Where(b => (string?)b!["type"] == "tool_use").Select(b => (string)b!["id"]!)],
            [.. blocks.Where(b => (string?)b!["type"] == "tool_result").Select(b => (string)b!["tool_use_id"]!)]);
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex AnthropicId();
}
