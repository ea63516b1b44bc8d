using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Extended thinking across Chat and Anthropic requests. Anthropic's rules (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking):
/// <c>budget_tokens</c> at least 1,024 and below <c>max_tokens</c>; with thinking on, a tool loop's turn must open with
/// the thinking blocks Anthropic signed ("Preserving thinking blocks"). Adaptive thinking and its effort
/// (https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking, https://docs.anthropic.com/en/docs/build-with-claude/effort)
/// map to Chat's <c>reasoning_effort</c> (https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort).
/// </summary>
public sealed class ThinkingTests
{
    private const string ToolLoop = """
        "messages":[{"role":"user","content":"weather in Paris?"},
         {"role":"assistant","content":null,"reasoning_content":"Pondering.",BLOCKS"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"x\"}"}}]},
         {"role":"tool","tool_call_id":"toolu_1","content":"sunny"}LAST]
        """;

    /// <summary>No client limit: the answer keeps 4,096 tokens beside the effort's budget; a limit too small for the budget is split in half.</summary>
    [Theory]
    [InlineData("\"reasoning_effort\":\"high\"", 24576 + 4096, 24576)]
    [InlineData("\"reasoning_effort\":\"low\"", 2048 + 4096, 2048)]
    [InlineData("\"reasoning_effort\":\"high\",\"max_tokens\":8192", 8192, 4096)]
    [InlineData("\"reasoning_effort\":\"medium\",\"max_completion_tokens\":1500", 1500, 1024)]
    public void ReasoningEffort_GetsABudgetThatLeavesTheAnswerRoom(string fields, int maxTokens, int budget)
    {
        var anthropic = ToAnthropic($$"""{"model":"m",{{fields}},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(maxTokens, anthropic["max_tokens"]!.GetValue<int>());
        Assert.Equal(budget, anthropic["thinking"]!["budget_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void ReasoningEffort_WithALimitUnderTheMinimumBudget_SendsNoThinking() =>
        Assert.Null(ToAnthropic("""{"model":"m","reasoning_effort":"low","max_tokens":1024,"messages":[{"role":"user","content":"hi"}]}""")["thinking"]);

    /// <summary>The audit's repro (t2.json): the tool turn has no signed block, so Anthropic would answer 400 with thinking on.</summary>
    [Fact]
    public void ToolLoop_WithoutSignedThinking_GoesWithoutThinking_AndKeepsTheTemperature()
    {
        var anthropic = ToAnthropic(Chat(blocks: "", last: "", extra: "\"temperature\":0.5,"));

        Assert.Null(anthropic["thinking"]);
        Assert.Equal(0.5, anthropic["temperature"]!.GetValue<double>());
    }

    [Fact]
    public void ToolLoop_WithItsThinkingBlocks_KeepsThinking_AndOpensTheTurnWithThem()
    {
        var anthropic = ToAnthropic(Chat(blocks: "\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"Pondering.\",\"signature\":\"SIG==\"}],", last: ""));

        Assert.Equal("enabled", anthropic["thinking"]!["type"]!.GetValue<string>());
        Assert.Equal("SIG==", anthropic["messages"]![1]!["content"]![0]!["signature"]!.GetValue<string>());
    }

    /// <summary>Only the turn in progress needs its blocks: after a new user message thinking is on again.</summary>
    [Fact]
    public void NewUserTurn_AfterAToolLoopWithoutThinking_KeepsThinking() =>
        Assert.NotNull(ToAnthropic(Chat(blocks: "", last: """,{"role":"assistant","content":"It is sunny."},{"role":"user","content":"thanks"}"""))["thinking"]);

    [Theory]
    [InlineData("\"thinking\":{\"type\":\"adaptive\"}", "high")]
    [InlineData("\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"low\"}", "low")]
    [InlineData("\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"max\"}", "high")]
    [InlineData("\"output_config\":{\"effort\":\"medium\"}", "medium")]
    [InlineData("\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}", "low")]
    [InlineData("\"thinking\":{\"type\":\"disabled\"},\"output_config\":{\"effort\":\"high\"}", null)]
    public void AnthropicThinking_MapsToReasoningEffort(string fields, string? effort)
    {
        var request = $$"""{"model":"m","max_tokens":32000,{{fields}},"messages":[{"role":"user","content":"hi"}]}""";

        var chat = JsonNode.Parse(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx).Body.ToArray())!;

        Assert.Equal(effort, chat["reasoning_effort"]?.GetValue<string>());
    }

    private static string Chat(string blocks, string last, string extra = "") =>
        "{\"model\":\"m\",\"reasoning_effort\":\"medium\",\"max_tokens\":16000," + extra + ToolLoop.Replace("BLOCKS", blocks, StringComparison.Ordinal).Replace("LAST", last, StringComparison.Ordinal) + "}";

    private static JsonNode ToAnthropic(string chatRequest) =>
        JsonNode.Parse(ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(chatRequest), Ctx).Body.ToArray())!;
}
