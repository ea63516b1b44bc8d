using System.Text.Json;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Claude Code (2.1.197, beta mid-conversation-system-2026-04-07) sends a system turn inside messages on every
/// request; a Chat upstream gets its text in the leading system message, nothing dropped.
/// </summary>
public sealed class MidConversationSystemTests
{
    [Fact]
    public void SystemTurnInsideMessages_JoinsTheLeadingSystemMessage()
    {
        const string request = """
            {"model":"claude-alias","max_tokens":64,"system":[{"type":"text","text":"You are Claude Code."}],
             "messages":[{"role":"user","content":"hi"},{"role":"system","content":[{"type":"text","text":"Today is Monday."}]}]}
            """;

        var chat = AnthropicRequestToChat.Translate(System.Text.Encoding.UTF8.GetBytes(request), Ctx);

        using var document = JsonDocument.Parse(chat.Body);
        var messages = document.RootElement.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["system", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("You are Claude Code.\n\nToday is Monday.", messages[0].GetProperty("content").GetString());
    }
}
