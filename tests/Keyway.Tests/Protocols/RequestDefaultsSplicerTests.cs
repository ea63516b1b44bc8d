using System.Text;
using Keyway.Protocols;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Translation;

namespace Keyway.Tests.Protocols;

/// <summary>
/// Route defaults spliced into bodies in the upstream's protocol. Parameter names from the API references:
/// https://platform.openai.com/docs/api-reference/chat/create (reasoning_effort, max_completion_tokens),
/// https://platform.openai.com/docs/api-reference/responses/create (reasoning.effort, max_output_tokens),
/// https://docs.anthropic.com/en/api/messages (thinking.budget_tokens, max_tokens).
/// </summary>
public sealed class RequestDefaultsSplicerTests
{
    private static readonly RequestDefaults All = new("medium", 1000, 0.5);

    [Theory]
    [InlineData(WireFormat.OpenAIChat, """{"model":"m"}""", """{"model":"m","reasoning_effort":"medium","temperature":0.5}""")]
    [InlineData(WireFormat.OpenAIChat, """{"model":"m","max_tokens":5000,"max_completion_tokens":800}""",
        """{"model":"m","max_tokens":1000,"max_completion_tokens":800,"reasoning_effort":"medium","temperature":0.5}""")]
    [InlineData(WireFormat.OpenAIChat, """{"reasoning_effort":"high","temperature":0,"x":"caf\u00e9"}""", """{"reasoning_effort":"high","temperature":0,"x":"caf\u00e9"}""")]
    [InlineData(WireFormat.OpenAIChat, "{}", """{"reasoning_effort":"medium","temperature":0.5}""")]
    [InlineData(WireFormat.OpenAIResponses, """{"max_output_tokens":9999}""", """{"max_output_tokens":1000,"reasoning":{"effort":"medium"},"temperature":0.5}""")]
    [InlineData(WireFormat.OpenAIResponses, """{"reasoning":{"summary":"auto"}}""", """{"reasoning":{"summary":"auto","effort":"medium"},"temperature":0.5}""")]
    [InlineData(WireFormat.OpenAIResponses, """{"reasoning":{}}""", """{"reasoning":{"effort":"medium"},"temperature":0.5}""")]
    [InlineData(WireFormat.OpenAIResponses, """{"reasoning":{"effort":"low"}}""", """{"reasoning":{"effort":"low"},"temperature":0.5}""")]
    [InlineData(WireFormat.AnthropicMessages, """{"max_tokens":64000}""", """{"max_tokens":1000,"temperature":0.5}""")]
    [InlineData(WireFormat.AnthropicMessages, """{"messages":[]}""", """{"messages":[],"max_tokens":1000,"temperature":0.5}""")]
    public void Apply_AddsWhatIsMissing_AndClampsTokenLimits(WireFormat upstream, string body, string expected) =>
        Assert.Equal(expected, Apply(upstream, body, All));

    [Theory]
    // A budget below max_tokens: 8,192 for medium; one that does not fit gets half of max_tokens (never under 1,024), so the answer keeps the rest.
    [InlineData("""{"max_tokens":32000}""", """{"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":8192}}""")]
    [InlineData("""{"max_tokens":4000}""", """{"max_tokens":4000,"thinking":{"type":"enabled","budget_tokens":2000}}""")]
    [InlineData("""{"max_tokens":1500}""", """{"max_tokens":1500,"thinking":{"type":"enabled","budget_tokens":1024}}""")]
    [InlineData("""{"max_tokens":1000}""", """{"max_tokens":1000,"temperature":0.5}""")]
    // Extended thinking rejects temperature, top_p, top_k and forced tools: no thinking then.
    [InlineData("""{"max_tokens":32000,"temperature":0.2}""", """{"max_tokens":32000,"temperature":0.2}""")]
    [InlineData("""{"max_tokens":32000,"tool_choice":{"type":"any"}}""", """{"max_tokens":32000,"tool_choice":{"type":"any"},"temperature":0.5}""")]
    // The client's own thinking stays, and no temperature goes with it.
    [InlineData("""{"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":2000}}""", """{"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":2000}}""")]
    [InlineData("""{"max_tokens":32000,"thinking":{"type":"disabled"}}""", """{"max_tokens":32000,"thinking":{"type":"disabled"},"temperature":0.5}""")]
    public void Apply_Anthropic_MapsEffortToAThinkingBudget(string body, string expected) =>
        Assert.Equal(expected, Apply(WireFormat.AnthropicMessages, body, new RequestDefaults("medium", null, 0.5)));

    /// <summary>
    /// Claude 4.6 onwards (https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking): adaptive thinking
    /// with the effort in output_config, beside a format already there; no budget to fit, and no signed blocks needed in
    /// a tool loop.
    /// </summary>
    [Theory]
    [InlineData("""{"max_tokens":32000}""", """{"max_tokens":32000,"thinking":{"type":"adaptive","display":"summarized"},"output_config":{"effort":"medium"}}""")]
    [InlineData("""{"max_tokens":1000}""", """{"max_tokens":1000,"thinking":{"type":"adaptive","display":"summarized"},"output_config":{"effort":"medium"}}""")]
    [InlineData("""{"max_tokens":32000,"output_config":{"format":{"type":"json_schema"}}}""",
        """{"max_tokens":32000,"output_config":{"format":{"type":"json_schema"},"effort":"medium"},"thinking":{"type":"adaptive","display":"summarized"}}""")]
    [InlineData("""{"max_tokens":32000,"output_config":{"effort":"low"}}""", """{"max_tokens":32000,"output_config":{"effort":"low"},"thinking":{"type":"adaptive","display":"summarized"}}""")]
    [InlineData("""{"max_tokens":32000,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"ok"}]}]}""",
        """{"max_tokens":32000,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"ok"}]}],"thinking":{"type":"adaptive","display":"summarized"},"output_config":{"effort":"medium"}}""")]
    [InlineData("""{"max_tokens":32000,"top_p":0.9}""", """{"max_tokens":32000,"top_p":0.9,"temperature":0.5}""")]
    public void Apply_Anthropic_OnAdaptiveClaude_AddsAdaptiveThinkingAndEffort(string body, string expected) =>
        Assert.Equal(expected, Apply(WireFormat.AnthropicMessages, body, new RequestDefaults("medium", null, 0.5), ClaudeThinking.Adaptive));

    /// <summary>
    /// A cap that lowers max_tokens to or under the client's thinking budget would get Anthropic's 400 ("`max_tokens` must
    /// be greater than `thinking.budget_tokens`", https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size):
    /// the budget is fitted as a derived one is, and thinking goes when not even the minimum of 1,024 fits.
    /// </summary>
    [Theory]
    [InlineData(8192, """{"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":16000}}""", """{"max_tokens":8192,"thinking":{"type":"enabled","budget_tokens":4096}}""")]
    [InlineData(8192, """{"max_tokens":32000,"thinking":{"budget_tokens":8192,"type":"enabled"},"x":"é"}""", """{"max_tokens":8192,"thinking":{"budget_tokens":4096,"type":"enabled"},"x":"é"}""")]
    [InlineData(8192, """{"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":2000}}""", """{"max_tokens":8192,"thinking":{"type":"enabled","budget_tokens":2000}}""")]
    [InlineData(8192, """{"max_tokens":32000,"thinking":{"type":"adaptive"}}""", """{"max_tokens":8192,"thinking":{"type":"adaptive"}}""")]
    [InlineData(1024, """{"thinking":{"type":"enabled","budget_tokens":2000},"max_tokens":32000}""", """{"max_tokens":1024}""")]
    [InlineData(1024, """{"max_tokens":32000, "thinking":{"type":"enabled","budget_tokens":2000}}""", """{"max_tokens":1024}""")]
    public void Apply_Anthropic_CapKeepsTheThinkingBudgetBelowMaxTokens(int cap, string body, string expected) =>
        Assert.Equal(expected, Apply(WireFormat.AnthropicMessages, body, new RequestDefaults(null, cap, null)));

    [Theory]
    [InlineData(WireFormat.OpenAIChat, """{"max_completion_tokens":9999}""", """{"max_completion_tokens":1000,"reasoning_effort":"medium"}""")]
    [InlineData(WireFormat.OpenAIResponses, "{}", """{"reasoning":{"effort":"medium"}}""")]
    public void Apply_WhereTheUpstreamFixesSampling_AddsNoTemperature(WireFormat upstream, string body, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(RequestDefaultsSplicer.Apply(Encoding.UTF8.GetBytes(body), upstream, All, fixedSampling: true, ClaudeThinking.Budget)));

    [Theory]
    [InlineData("[1]")]
    [InlineData("{\"a\":")]
    public void Apply_LeavesWhatIsNotAnObjectAlone(string body) => Assert.Equal(body, Apply(WireFormat.OpenAIChat, body, All));

    private static string Apply(WireFormat upstream, string body, RequestDefaults defaults, ClaudeThinking thinking = ClaudeThinking.Budget) =>
        Encoding.UTF8.GetString(RequestDefaultsSplicer.Apply(Encoding.UTF8.GetBytes(body), upstream, defaults, fixedSampling: false, thinking));
}
