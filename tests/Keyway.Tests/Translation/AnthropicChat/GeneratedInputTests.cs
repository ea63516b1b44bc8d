using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.AnthropicChat;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>
/// Many seeded random valid documents of each protocol through every translator: no exception, and output of the
/// right shape (the rules upstreams enforce: no empty text, alternating Anthropic roles, stream grammar).
/// </summary>
public sealed class GeneratedInputTests
{
    private const int Cases = 300;

    [Fact]
    public void RandomAnthropicRequests_BecomeValidChatRequests()
    {
        var wire = new RandomWire(seed: 6);
        for (var i = 0; i < Cases; i++)
        {
            var chat = Translate(wire.AnthropicRequest(), body => AnthropicRequestToChat.Translate(body, Ctx).Body.ToArray());

            Assert.Equal(Ctx.UpstreamModel, chat["model"]!.GetValue<string>());
            foreach (var message in chat["messages"]!.AsArray())
            {
                var role = message!["role"]!.GetValue<string>();
                Assert.Contains(role, new[] { "system", "user", "assistant", "tool" });
                Assert.True(message["content"] is not JsonValue text || text.GetValue<string>().Length > 0, message.ToJsonString());
                Assert.True(message["content"] is not null || message["tool_calls"] is not null || message["reasoning_content"] is not null, message.ToJsonString());
                Assert.True(role != "tool" || message["tool_call_id"] is not null);
                Assert.All(message["tool_calls"]?.AsArray() ?? [], call => Assert.InRange(call!["function"]!["name"]!.GetValue<string>().Length, 1, 64));
            }
        }
    }

    [Fact]
    public void RandomChatRequests_BecomeValidAnthropicRequests()
    {
        var wire = new RandomWire(seed: 7);
        for (var i = 0; i < Cases; i++)
        {
            var anthropic = Translate(wire.ChatRequest(), body => ChatRequestToAnthropic.Translate(body, Ctx).Body.ToArray());

            Assert.True(anthropic["max_tokens"]!.GetValue<int>() > 0);
            string? previousRole = null;
            foreach (var message in anthropic["messages"]!.AsArray())
            {
                var role = message!["role"]!.GetValue<string>();
                Assert.NotEqual(previousRole, role);
                previousRole = role;
                Assert.NotEmpty(message["content"]!.AsArray());
                Assert.All(message["content"]!.AsArray(), block => Assert.True(block!["type"]!.GetValue<string>() != "text" || block["text"]!.GetValue<string>().Length > 0));
            }

            if (anthropic["thinking"] is { } thinking)
            {
                Assert.True(thinking["budget_tokens"]!.GetValue<int>() < anthropic["max_tokens"]!.GetValue<int>());
            }
        }
    }

    [Fact]
    public void RandomChatAnswers_RoundTripThroughAnthropic_StreamedAndNot()
    {
        var wire = new RandomWire(seed: 8);
        var anthropicRequest = RequestFrom("anthropic_request_agent_turn.json");
        var chatRequest = RequestFrom("chat_request_agent_turn.json");
        for (var i = 0; i < Cases; i++)
        {
            var response = wire.ChatResponse();
            var anthropic = ChatResponseToAnthropic.Translate(Encoding.UTF8.GetBytes(response.ToJsonString()), anthropicRequest, Ctx);
            var backToChat = JsonNode.Parse(AnthropicResponseToChat.Translate(anthropic, chatRequest, Ctx))!;
            Assert.Equal("assistant", backToChat["choices"]![0]!["message"]!["role"]!.GetValue<string>());

            var anthropicStream = RunStream(new ChatStreamToAnthropic(anthropicRequest, Ctx), wire.ChatStream(response));
            AssertAnthropicGrammar(anthropicStream);
            var chatStream = RunStream(new AnthropicStreamToChat(chatRequest, Ctx), anthropicStream);
            Assert.Equal("[DONE]", ParseSse(chatStream)[^1].Data!.GetValue<string>());
        }
    }

    private static JsonNode Translate(JsonObject input, Func<byte[], byte[]> translate) =>
        JsonNode.Parse(translate(Encoding.UTF8.GetBytes(input.ToJsonString())))!;

    /// <summary>message_start first, message_stop last, blocks opened in index order and deltas only inside the open block.</summary>
    private static void AssertAnthropicGrammar(byte[] stream)
    {
        var events = ParseSse(stream);
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("message_stop", events[^1].Name);
        int? open = null;
        var next = 0;
        foreach (var (name, data) in events)
        {
            switch (name)
            {
                case "content_block_start":
                    Assert.Null(open);
                    Assert.Equal(next++, data!["index"]!.GetValue<int>());
                    Assert.NotEqual("", data["content_block"]!["name"]?.GetValue<string>());
                    open = data["index"]!.GetValue<int>();
                    break;
                case "content_block_delta":
                    Assert.Equal(open, data!["index"]!.GetValue<int>());
                    break;
                case "content_block_stop":
                    Assert.Equal(open, data!["index"]!.GetValue<int>());
                    open = null;
                    break;
            }
        }

        Assert.Null(open);
    }
}
