using System.Text.Json;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Where Chat has one string and Anthropic a list of blocks, the blocks' texts are joined — system blocks and system turns
/// by a blank line, a turn's text blocks by a line break, thinking blocks back to back — and empty texts leave no
/// separator behind. Three or more texts each, so every join after the first is seen.
/// </summary>
public sealed class TextJoiningTests
{
    private const string Request = """
        {"model":"claude-alias","max_tokens":64,
         "system":[{"type":"text","text":"S1"},{"type":"text","text":""},{"type":"text","text":"S2"}],
         "messages":[
          {"role":"system","content":[{"type":"text","text":"S3"}]},
          {"role":"user","content":[{"type":"text","text":"U1"},{"type":"text","text":"U2"},{"type":"text","text":""},{"type":"text","text":"U3"}]},
          {"role":"assistant","content":[
            {"type":"thinking","thinking":"T1","signature":"s"},{"type":"thinking","thinking":"T2","signature":"s"},
            {"type":"thinking","thinking":"T3","signature":"s"},
            {"type":"text","text":"A1"},{"type":"text","text":"A2"},{"type":"text","text":"A3"},
            {"type":"tool_use","id":"toolu_1","name":"t","input":{}}]},
          {"role":"system","content":"S4"},
          {"role":"user","content":"U4"}]}
        """;

    [Fact]
    public void BlocksOfEachKind_AreJoinedWithTheirSeparator()
    {
        var chat = AnthropicRequestToChat.Translate(System.Text.Encoding.UTF8.GetBytes(Request), Ctx);

        using var document = JsonDocument.Parse(chat.Body);
        var messages = document.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString())).ToList();
        Assert.Equal(
            [("system", "S1\n\nS2\n\nS3\n\nS4"), ("user", "U1\nU2\nU3"), ("assistant", "A1\nA2\nA3"), ("user", "U4")],
            messages);
        var assistant = document.RootElement.GetProperty("messages")[2];
        Assert.Equal("T1T2T3", assistant.GetProperty("reasoning_content").GetString());
    }
}
