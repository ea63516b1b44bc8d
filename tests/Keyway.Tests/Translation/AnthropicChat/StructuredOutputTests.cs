using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Structured outputs cross the protocols instead of vanishing: Chat <c>response_format</c> json_schema
/// (https://platform.openai.com/docs/api-reference/chat/create#chat-create-response_format) and Responses
/// <c>text.format</c> are Anthropic's <c>output_config.format</c>, generally available without a beta header
/// (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs: "The output_format parameter has moved to
/// output_config.format, and beta headers are no longer required"), and back. JSON mode (json_object) has no Anthropic
/// counterpart (its schemas need <c>additionalProperties:false</c> on every object, so "any object" cannot be said) and
/// is refused rather than dropped.
/// </summary>
public sealed class StructuredOutputTests
{
    private const string Schema = """{"type":"object","properties":{"city":{"type":"string"},"temp":{"type":"number"}},"required":["city","temp"],"additionalProperties":false}""";

    [Fact]
    public void ChatJsonSchema_IsAnthropicsOutputConfigFormat()
    {
        var chat = $$$$"""{"model":"m","messages":[{"role":"user","content":"weather?"}],"response_format":{"type":"json_schema","json_schema":{"name":"weather","strict":true,"schema":{{{{Schema}}}}}}}""";

        var anthropic = ToAnthropic(chat);

        AssertJson($$$$"""{"format":{"type":"json_schema","schema":{{{{Schema}}}}}}""", anthropic["output_config"]);
    }

    [Fact]
    public void ResponsesTextFormat_OnAnAnthropicUpstream_IsOutputConfigFormat()
    {
        var responses = $$$$"""{"model":"m","input":"weather?","text":{"format":{"type":"json_schema","name":"weather","strict":true,"schema":{{{{Schema}}}}}}}""";

        using var pipeline = TranslationPipeline.Create(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages, Encoding.UTF8.GetBytes(responses), Ctx);

        AssertJson($$$$"""{"format":{"type":"json_schema","schema":{{{{Schema}}}}}}""", JsonNode.Parse(pipeline.UpstreamBody.Memory.Span)!["output_config"]);
    }

    [Theory]
    [InlineData("""{"type":"json_object"}""", "json_object")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"x"}}""", "schema")]
    public void ChatFormatWithoutAnthropicCounterpart_IsRefused(string format, string named)
    {
        var chat = $$$$"""{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{{{{format}}}}}""";

        var error = Assert.Throws<TranslationException>(() => ToAnthropic(chat));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void ChatTextFormat_AddsNothing()
    {
        var anthropic = ToAnthropic("""{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"text"}}""");

        Assert.False(anthropic.AsObject().ContainsKey("output_config"));
    }

    [Fact]
    public void ChatStrictTool_IsAnAnthropicStrictTool()
    {
        var chat = """{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"run","strict":true,"parameters":{"type":"object","properties":{},"additionalProperties":false}}}]}""";

        Assert.True((bool)ToAnthropic(chat)["tools"]![0]!["strict"]!);
    }

    [Theory]
    [InlineData("output_config")]
    [InlineData("output_format")]
    public void AnthropicFormat_IsChatResponseFormat(string field)
    {
        var format = field == "output_config" ? $$$$"""{"format":{"type":"json_schema","schema":{{{{Schema}}}}}}""" : $$$$"""{"type":"json_schema","schema":{{{{Schema}}}}}""";
        var anthropic = $$$$"""{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"weather?"}],"{{{{field}}}}":{{{{format}}}}}""";

        var chat = JsonNode.Parse(AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(anthropic), Ctx).Body.Span)!;

        AssertJson($$$$"""{"type":"json_schema","json_schema":{"name":"response","schema":{{{{Schema}}}}}}""", chat["response_format"]);
    }

    private static JsonNode ToAnthropic(string chat) =>
        JsonNode.Parse(ChatRequestToAnthropic.Translate(Encoding.UTF8.GetBytes(chat), Ctx).Body.Span)!;

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString() ?? "(absent)");
}
