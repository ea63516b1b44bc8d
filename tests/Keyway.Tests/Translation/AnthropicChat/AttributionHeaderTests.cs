using System.Text;
using System.Text.Json;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Claude Code (2.1.69 and later; 2.1.197 seen) opens its system prompt with a text block
/// <c>x-anthropic-billing-header: cc_version=2.1.197.&lt;fingerprint of the conversation&gt;; cc_entrypoint=…;</c>, which is
/// Anthropic's own billing attribution. On a Chat upstream it is only text at the very front of the prompt that differs
/// from one conversation to the next, so no two sessions ever share a cached prefix (motiful/cc-cache-audit).
/// </summary>
public sealed class AttributionHeaderTests
{
    [Fact]
    public void BillingHeaderBlock_DoesNotReachTheChatSystemMessage()
    {
        const string request = """
            {"model":"claude-alias","max_tokens":64,"system":[
              {"type":"text","text":"x-anthropic-billing-header: cc_version=2.1.197.a3f; cc_entrypoint=sdk-cli;"},
              {"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":"hi"}]}
            """;

        var chat = AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx);

        using var document = JsonDocument.Parse(chat.Body);
        var system = document.RootElement.GetProperty("messages")[0];
        Assert.Equal("system", system.GetProperty("role").GetString());
        Assert.Equal("You are Claude Code.", system.GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("Explain what x-anthropic-billing-header: means.")]
    [InlineData("x-anthropic-billing-header: cc_version=1.0; cc_entrypoint=cli;\nYou are a helpful assistant.")]
    public void SystemTextThatIsNotTheHeaderLineAlone_IsKeptWhole(string system)
    {
        var request = $$"""
            {"model":"claude-alias","max_tokens":64,"system":{{JsonSerializer.Serialize(system)}},"messages":[{"role":"user","content":"hi"}]}
            """;

        var chat = AnthropicRequestToChat.Translate(Encoding.UTF8.GetBytes(request), Ctx);

        using var document = JsonDocument.Parse(chat.Body);
        Assert.Equal(system, document.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
    }
}
