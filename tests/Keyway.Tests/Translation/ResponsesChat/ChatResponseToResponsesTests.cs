using System.Text;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.ResponsesChat;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

namespace Keyway.Tests.Translation.ResponsesChat;

public sealed class ChatResponseToResponsesTests
{
    [Theory]
    [InlineData("plain_text")]
    [InlineData("function_call")]
    [InlineData("custom_tool")]
    [InlineData("length")]
    public void Fixture_TranslatesToTheExpectedResponse(string name)
    {
        var response = ChatResponseToResponses.Translate(Json(name + ".chat_response.json"), CodexRequest(), Context);

        AssertJsonEqual(Json(name + ".response.json"), response);
    }

    [Theory]
    [InlineData("*** Begin Patch\n*** End Patch\n", "*** Begin Patch\n*** End Patch\n")]
    [InlineData("{\"patch\":\"x\"}", "{\"patch\":\"x\"}")]
    [InlineData("{\"input\":42}", "{\"input\":42}")]
    public void CustomToolArgumentsThatAreNotTheInputObject_AreUsedRaw(string arguments, string expectedInput)
    {
        var chat = new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject
            {
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "call_1",
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "apply_patch", ["arguments"] = arguments },
                    }),
                },
                ["finish_reason"] = "tool_calls",
            }),
        };

        var response = JsonNode.Parse(ChatResponseToResponses.Translate(Encoding.UTF8.GetBytes(chat.ToJsonString()), CodexRequest(), Context))!;

        var item = response["output"]![0]!;
        Assert.Equal("custom_tool_call", item["type"]!.GetValue<string>());
        Assert.Equal(expectedInput, item["input"]!.GetValue<string>());
        Assert.Null(response["usage"]);
    }

    [Theory]
    [InlineData("\"prompt_cache_hit_tokens\":1024", 1024)]
    [InlineData("\"prompt_tokens_details\":{\"cached_tokens\":0},\"prompt_cache_hit_tokens\":1024", 1024)]
    [InlineData("\"prompt_tokens_details\":{\"cached_tokens\":512}", 512)]
    [InlineData("\"prompt_cache_miss_tokens\":1200", 0)]
    public void CachedTokens_AreReadUnderEitherName(string cacheMembers, long expected)
    {
        var chat = $$$"""{"choices":[{"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1200,"completion_tokens":80,{{{cacheMembers}}}}}""";

        var response = JsonNode.Parse(ChatResponseToResponses.Translate(Encoding.UTF8.GetBytes(chat), CodexRequest(), Context))!;

        Assert.Equal(expected, response["usage"]!["input_tokens_details"]!["cached_tokens"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"choices":[]}""")]
    [InlineData("nope")]
    public void AnswerWithoutChoices_Throws(string body)
    {
        Assert.Throws<TranslationException>(
            () => ChatResponseToResponses.Translate(Encoding.UTF8.GetBytes(body), CodexRequest(), Context));
    }
}
