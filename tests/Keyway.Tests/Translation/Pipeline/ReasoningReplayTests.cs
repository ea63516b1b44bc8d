using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;

namespace Keyway.Tests.Translation.Pipeline;

/// <summary>
/// Reasoning a client sends back (Anthropic thinking blocks, Responses reasoning items) reaches a Chat upstream as
/// <c>reasoning_content</c> on the tool-call turns only: DeepSeek's thinking mode requires it there on every later
/// request and ignores it on other turns (https://api-docs.deepseek.com/guides/thinking_mode); an upstream that refuses
/// the property (OpenAI's and Cerebras's own APIs, <c>UpstreamEndpoint.TakesReasoningContent</c>) gets none.
/// </summary>
public sealed class ReasoningReplayTests
{
    private static readonly TranslationContext Ctx = new("msg_replay_1", 1_700_000_000, "alias", "upstream-model");

    private const string ClaudeCodeHistory = """
        {"model":"m","max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":8000},"messages":[
          {"role":"user","content":"hi"},
          {"role":"assistant","content":[{"type":"thinking","thinking":"Greet back.","signature":""},{"type":"text","text":"Hello!"}]},
          {"role":"user","content":"weather in Paris?"},
          {"role":"assistant","content":[{"type":"thinking","thinking":"Call the tool.","signature":""},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]},
          {"role":"assistant","content":[{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Lyon"}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2","content":"rain"}]}]}
        """;

    private const string CodexHistory = """
        {"model":"m","input":[
          {"role":"user","content":"weather in Paris?"},
          {"type":"reasoning","summary":[{"type":"summary_text","text":"Call the tool."}]},
          {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"},
          {"type":"function_call_output","call_id":"call_1","output":"sunny"},
          {"type":"reasoning","summary":[{"type":"summary_text","text":"Answer now."}]},
          {"role":"assistant","content":"It is sunny."},
          {"role":"user","content":"thanks"}]}
        """;

    [Fact]
    public void AnthropicThinking_GoesBackOnToolCallTurnsOnly()
    {
        var messages = Messages(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(ClaudeCodeHistory), Ctx));

        Assert.Equal((IEnumerable<string?>)[null, null, null, "Call the tool.", null, "", null], Reasoning(messages));
    }

    [Fact]
    public void AnthropicThinking_OnAnUpstreamThatRefusesReasoningContent_IsLeftOut()
    {
        var messages = Messages(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(ClaudeCodeHistory), Ctx with { ChatReasoningReplay = false }));

        Assert.All(messages, message => Assert.False(message!.AsObject().ContainsKey("reasoning_content")));
    }

    [Fact]
    public void ResponsesReasoning_GoesBackOnToolCallTurnsOnly()
    {
        var messages = Messages(ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(CodexHistory), Ctx));

        Assert.Equal((IEnumerable<string?>)[null, "Call the tool.", null, null, null], Reasoning(messages));
    }

    [Fact]
    public void ResponsesReasoning_OnAnUpstreamThatRefusesReasoningContent_IsLeftOut()
    {
        var messages = Messages(ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(CodexHistory), Ctx with { ChatReasoningReplay = false }));

        Assert.All(messages, message => Assert.False(message!.AsObject().ContainsKey("reasoning_content")));
    }

    /// <summary>
    /// MiniMax asked for reasoning_split wants the thinking back as it sent it, in <c>reasoning_details</c>: "Passing the
    /// reasoning_details field in subsequent requests ensures that the model maintains a complete chain of thought across
    /// multiple tool calls" (https://minimax.io/news/why-is-interleaved-thinking-important-for-m2,
    /// https://platform.minimax.io/docs/api-reference/text-openai-api); a turn without thinking gets no placeholder.
    /// </summary>
    [Fact]
    public void AnthropicThinking_ToMiniMax_GoesBackAsReasoningDetails_AndTheSplitIsAsked()
    {
        var body = Body(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(ClaudeCodeHistory), Ctx with { ChatReasoningSplit = true }));

        Assert.True(body["reasoning_split"]!.GetValue<bool>());
        var messages = body["messages"]!.AsArray();
        Assert.All(messages, message => Assert.False(message!.AsObject().ContainsKey("reasoning_content")));
        Assert.Equal((IEnumerable<string?>)[null, null, null, """[{"type":"reasoning.text","text":"Call the tool."}]""", null, null, null], Details(messages));
    }

    [Fact]
    public void ResponsesReasoning_ToMiniMax_GoesBackAsReasoningDetails_AndTheSplitIsAsked()
    {
        var body = Body(ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(CodexHistory), Ctx with { ChatReasoningSplit = true }));

        Assert.True(body["reasoning_split"]!.GetValue<bool>());
        var messages = body["messages"]!.AsArray();
        Assert.All(messages, message => Assert.False(message!.AsObject().ContainsKey("reasoning_content")));
        Assert.Equal((IEnumerable<string?>)[null, """[{"type":"reasoning.text","text":"Call the tool."}]""", null, null, null], Details(messages));
    }

    /// <summary>A client that chose the split itself (false: it wants the think tags in the text) keeps its choice.</summary>
    [Fact]
    public void ClientsOwnReasoningSplit_IsKept()
    {
        var ctx = Ctx with { ChatReasoningSplit = true };

        var anthropic = Body(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(ClaudeCodeHistory[..^1] + ""","reasoning_split":false}"""), ctx));
        var responses = Body(ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(CodexHistory.TrimEnd()[..^1] + ""","reasoning_split":false}"""), ctx));

        Assert.False(anthropic["reasoning_split"]!.GetValue<bool>());
        Assert.False(responses["reasoning_split"]!.GetValue<bool>());
    }

    [Fact]
    public void OtherUpstreams_AreNotAskedForTheSplit()
    {
        Assert.False(Body(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(ClaudeCodeHistory), Ctx)).ContainsKey("reasoning_split"));
        Assert.False(Body(ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(CodexHistory), Ctx)).ContainsKey("reasoning_split"));
    }

    private static JsonObject Body(TranslatedRequest request) => JsonNode.Parse(request.Body.ToArray())!.AsObject();

    private static string?[] Details(JsonArray messages) => [.. messages.Select(message => message!["reasoning_details"]?.ToJsonString())];

    private static JsonArray Messages(TranslatedRequest request) => JsonNode.Parse(request.Body.ToArray())!["messages"]!.AsArray();

    private static string?[] Reasoning(JsonArray messages) => [.. messages.Select(message => message!["reasoning_content"]?.GetValue<string>())];
}
