using System.Text;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>A Chat client gets the usage-only chunk from an Anthropic upstream only when it asked for it, as from OpenAI.</summary>
public sealed class IncludeUsageTests
{
    [Theory]
    [InlineData("chat_request_agent_turn.json", true)]
    [InlineData("chat_request_text.json", false)]
    public void UsageOnlyChunk_FollowsStreamOptionsIncludeUsage(string chatRequest, bool expected)
    {
        var output = Encoding.UTF8.GetString(RunStream(
            new AnthropicStreamToChat(RequestFrom(chatRequest), Ctx),
            Sse("anthropic/messages_stream_thinking_tool_use.sse")));

        Assert.Equal(expected, output.Contains("\"choices\":[]", StringComparison.Ordinal));
        Assert.EndsWith("data: [DONE]\n\n", output);
    }
}
