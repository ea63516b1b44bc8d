using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>Many random valid inputs: no exception, valid shapes, and streams that always end with completed or failed.</summary>
public sealed class GeneratedInputTests
{
    private const int Cases = 300;

    [Fact]
    public void RandomAnswers_StreamAndNonStreamAgree_AndStreamsEndWithCompleted()
    {
        var random = new Random(6);
        var request = CodexRequest();
        for (var i = 0; i < Cases; i++)
        {
            var answer = GeneratedAnswer.Create(random);

            var whole = JsonNode.Parse(ChatResponseToResponses.Translate(answer.ToCompletion(), request, Context));
            var events = ParseEvents(RunStream(answer.ToStream(random), request));

            Assert.Equal("response.completed", events[^1].Name);
            Assert.Single(events, e => e.Name is "response.completed" or "response.failed");
            Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()));
            Assert.True(JsonNode.DeepEquals(whole, events[^1].Data["response"]), $"case {i}:\n{whole?.ToJsonString()}\n{events[^1].Data["response"]!.ToJsonString()}");
        }
    }

    [Fact]
    public void RandomStreamsCutAnywhere_EndWithExactlyOneTerminalEvent()
    {
        var random = new Random(7);
        for (var i = 0; i < Cases; i++)
        {
            var stream = GeneratedAnswer.Create(random).ToStream(random);
            var cut = stream[..random.Next(stream.Length + 1)];

            var text = RunStream(cut, CodexRequest(), failure: random.Next(2) == 0 ? "connection reset" : null);

            var events = ParseEvents(text);
            Assert.Contains(events[^1].Name, new[] { "response.completed", "response.failed" });
            Assert.Single(events, e => e.Name is "response.completed" or "response.failed");
            Assert.All(events.Where(e => e.Name == "response.output_item.done"), e => Assert.NotNull(e.Data["item"]!["id"]));
        }
    }

    [Fact]
    public void RandomRequests_TranslateToChatRequestsWithMessages()
    {
        var random = new Random(8);
        for (var i = 0; i < Cases; i++)
        {
            var body = JsonNode.Parse(ResponsesRequestToChat.Translate(Encoding.UTF8.GetBytes(RandomRequest(random).ToJsonString()), Context).Body.ToArray())!;

            Assert.Equal("deepseek-chat", body["model"]!.GetValue<string>());
            Assert.All(body["messages"]!.AsArray(), message => Assert.Contains(message!["role"]!.GetValue<string>(), new[] { "system", "user", "assistant", "tool" }));
        }
    }

    private static JsonObject RandomRequest(Random random)
    {
        JsonNode[] items =
        [
            new JsonObject { ["role"] = "developer", ["content"] = "rules" },
            new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = "hi ☃" }) },
            new JsonObject { ["type"] = "message", ["role"] = "assistant", ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = "ok" }) },
            new JsonObject { ["type"] = "reasoning", ["summary"] = new JsonArray(new JsonObject { ["type"] = "summary_text", ["text"] = "think" }) },
            new JsonObject { ["type"] = "function_call", ["call_id"] = "call_1", ["name"] = "shell", ["arguments"] = "{}" },
            new JsonObject { ["type"] = "function_call_output", ["call_id"] = "call_1", ["output"] = "done" },
            new JsonObject { ["type"] = "custom_tool_call", ["call_id"] = "call_2", ["name"] = "apply_patch", ["input"] = "*** Begin Patch\n" },
            new JsonObject { ["type"] = "custom_tool_call_output", ["call_id"] = "call_2", ["output"] = "ok" },
            new JsonObject { ["type"] = "web_search_call", ["id"] = "ws_1" },
            new JsonObject { ["type"] = "brand_new_item_kind", ["x"] = 1 },
        ];
        JsonNode[] tools =
        [
            new JsonObject { ["type"] = "function", ["name"] = "shell", ["parameters"] = new JsonObject { ["type"] = "object" } },
            new JsonObject { ["type"] = "custom", ["name"] = "apply_patch", ["format"] = new JsonObject { ["type"] = "grammar", ["syntax"] = "lark", ["definition"] = "start: x" } },
            new JsonObject { ["type"] = "custom", ["name"] = "free" },
            new JsonObject { ["type"] = "local_shell" },
        ];
        var request = new JsonObject
        {
            ["model"] = "codex-fast",
            ["input"] = new JsonArray(Enumerable.Range(0, random.Next(0, 12)).Select(_ => items[random.Next(items.Length)].DeepClone()).ToArray()),
            ["tools"] = new JsonArray(tools.Where(_ => random.Next(2) == 0).Select(tool => tool.DeepClone()).ToArray()),
            ["stream"] = random.Next(2) == 0,
        };
        if (random.Next(2) == 0)
        {
            request["instructions"] = "be brief";
            request["reasoning"] = new JsonObject { ["effort"] = "low" };
            request["max_output_tokens"] = random.Next(1, 5000);
        }

        return request;
    }
}
