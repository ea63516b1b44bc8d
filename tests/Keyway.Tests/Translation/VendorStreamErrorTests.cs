using System.Text;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Tests.Translation.AnthropicChat;
using Keyway.Tests.Translation.ResponsesChat;

namespace Keyway.Tests.Translation;

/// <summary>
/// A context overflow reported inside a Chat stream in a vendor's own words (GLM's 1261 "Prompt 超长",
/// https://docs.z.ai/api-reference/api-code) reaches each client as the overflow it compacts on.
/// </summary>
public sealed class VendorStreamErrorTests
{
    private static readonly byte[] Overflow = Encoding.UTF8.GetBytes("data: {\"error\":{\"code\":\"1261\",\"message\":\"Prompt 超长\"}}\n\n");

    [Fact]
    public void Overflow_ReachesAnAnthropicClientAsPromptIsTooLong()
    {
        var events = AnthropicChatHarness.ParseSse(AnthropicChatHarness.RunStream(
            new ChatStreamToAnthropic(AnthropicChatHarness.RequestFrom("anthropic_request_text.json"), AnthropicChatHarness.Ctx), Overflow));

        var error = events.Single(e => e.Name == "error").Data!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal("prompt is too long: Prompt 超长", error["message"]!.GetValue<string>());
    }

    [Fact]
    public void Overflow_ReachesCodexAsContextLengthExceeded()
    {
        var events = ResponsesChatHarness.ParseEvents(ResponsesChatHarness.RunStream(Overflow, ResponsesChatHarness.CodexRequest()));

        Assert.Equal("response.failed", events[^1].Name);
        Assert.Equal("context_length_exceeded", events[^1].Data["response"]!["error"]!["code"]!.GetValue<string>());
    }
}
