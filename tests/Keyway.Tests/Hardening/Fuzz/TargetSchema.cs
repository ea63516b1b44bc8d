using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Hardening.Fuzz;

/// <summary>
/// The request rules an upstream enforces before it even looks at the content (OpenAI Chat Completions and Anthropic
/// Messages API references): what a translated body must satisfy so the upstream does not answer 400.
/// </summary>
internal static class TargetSchema
{
    private static readonly string[] ChatRoles = ["system", "developer", "user", "assistant", "tool"];

    public static void Chat(JsonObject body, string upstreamModel)
    {
        Assert.Equal(upstreamModel, body["model"]!.GetValue<string>());
        var messages = Assert.IsType<JsonArray>(body["messages"]);
        foreach (var message in messages)
        {
            var role = message!["role"]!.GetValue<string>();
            Assert.Contains(role, ChatRoles);
            Assert.True(message["content"] is null or JsonArray || message["content"]!.GetValueKind() == JsonValueKind.String, message.ToJsonString());
            Assert.True(role != "tool" || message["tool_call_id"]?.GetValueKind() == JsonValueKind.String, message.ToJsonString());
        }
        PositiveIntegerIfPresent(body, "max_tokens");
        PositiveIntegerIfPresent(body, "max_completion_tokens");
    }

    public static void Anthropic(JsonObject body, string upstreamModel)
    {
        Assert.Equal(upstreamModel, body["model"]!.GetValue<string>());
        Assert.True(body["max_tokens"]!.GetValue<long>() >= 1, body.ToJsonString());
        foreach (var message in Assert.IsType<JsonArray>(body["messages"]))
        {
            Assert.Contains(message!["role"]!.GetValue<string>(), new[] { "user", "assistant" });
            var content = message["content"]!;
            if (content is JsonArray blocks)
            {
                Assert.All(blocks, block => Assert.Equal(JsonValueKind.String, block!["type"]!.GetValueKind()));
                Assert.All(blocks, block => Assert.True(block!["type"]!.GetValue<string>() != "text" || block["text"]!.GetValue<string>().Length > 0, message.ToJsonString()));
            }
            else
            {
                Assert.Equal(JsonValueKind.String, content.GetValueKind());
            }
        }
        if (body["thinking"] is JsonObject { } thinking && thinking["type"]?.GetValue<string>() == "enabled")
        {
            Assert.InRange(thinking["budget_tokens"]!.GetValue<long>(), 1024, body["max_tokens"]!.GetValue<long>() - 1);
        }
    }

    private static void PositiveIntegerIfPresent(JsonObject body, string field)
    {
        if (body[field] is { } value)
        {
            Assert.True(value.GetValueKind() == JsonValueKind.Number && value.GetValue<JsonElement>().TryGetInt64(out var n) && n >= 1, body.ToJsonString());
        }
    }
}
