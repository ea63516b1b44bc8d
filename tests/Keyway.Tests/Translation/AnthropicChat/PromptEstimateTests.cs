using System.Text;
using Keyway.Protocols.Anthropic;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// The prompt size a translated stream's message_start reports before the Chat upstream counts: estimated from the
/// translated request's parts (one token per four UTF-8 bytes of text as written, plus the overheads), so it grows with
/// every text the upstream will read and with nothing it will not.
/// </summary>
public sealed class PromptEstimateTests
{
    private const string Hello = """{"model":"m","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"Hello there"}]}""";

    [Fact]
    public void OneMessage_IsItsTextAndTheOverheads()
    {
        // "Hello there" is 11 bytes: 3 tokens; below, the system prompt is 21: 6.
        Assert.Equal(TokenEstimator.BaseOverhead + TokenEstimator.PerMessageOverhead + 3, Estimate(Hello));
    }

    [Fact]
    public void EveryPartTheUpstreamReads_AddsTokens()
    {
        var baseline = Estimate(Hello);

        Assert.Equal(baseline + TokenEstimator.PerMessageOverhead + 6, Estimate(Hello.Replace("\"stream\"", """
            "system":"Be terse and precise.","stream"
            """)));
        // Thinking goes to a Chat upstream on a tool-call turn (reasoning_content), so it counts there.
        Assert.True(Estimate(With("""{"role":"assistant","content":[{"type":"thinking","thinking":"ponder deeply","signature":"s"},{"type":"tool_use","id":"t","name":"lookup","input":{}}]}"""))
            > Estimate(With("""{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"lookup","input":{}}]}""")) + 3);
        Assert.True(Estimate(With("""{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"lookup","input":{"query":"weather in Paris"}}]}""")) > baseline + TokenEstimator.PerMessageOverhead + 6);
        Assert.True(Estimate(With("""{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"lookup","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"sunny and warm"}]}""")) > baseline + (2 * TokenEstimator.PerMessageOverhead) + 3);
        Assert.True(Estimate(Hello.Replace("\"stream\"", """
            "tools":[{"name":"lookup","description":"Looks things up","input_schema":{"type":"object","properties":{"query":{"type":"string"}}}}],"stream"
            """)) > baseline + TokenEstimator.PerToolOverhead + 12);
    }

    [Fact]
    public void AnImage_AddsNothingButItsMessage()
    {
        var image = With("""{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"}}]}""");

        Assert.Equal(Estimate(Hello) + TokenEstimator.PerMessageOverhead, Estimate(image));
    }

    [Fact]
    public void TheStreamsMessageStart_CarriesIt()
    {
        var translator = new ChatStreamToAnthropic(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(Hello), Ctx), Ctx);
        var chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n";

        var events = Encoding.UTF8.GetString(RunStream(translator, Encoding.UTF8.GetBytes(chunk), complete: false));

        Assert.Contains($"\"input_tokens\":{Estimate(Hello)}", events, StringComparison.Ordinal);
    }

    private static string With(string message) => Hello.Replace("""{"role":"user","content":"Hello there"}""", """{"role":"user","content":"Hello there"},""" + message);

    private static int Estimate(string anthropicRequest) => AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(anthropicRequest), Ctx).PromptTokenEstimate;
}
