using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// Chat and Responses clients on an Anthropic upstream whose fake refuses what Anthropic refuses
/// (<see cref="FakeAnthropicRequestRules"/>): a budget on a model that takes only adaptive thinking, a prefill on Claude
/// 4.6 onwards, tool blocks without tools, a data URL as a url source; and a Chat client's <c>thinking_blocks</c> on a
/// Chat upstream that refuses unknown message members (<see cref="FakeOpenAIChat"/>).
/// </summary>
public sealed class ClaudeRequestRulesTests
{
    [Theory]
    [InlineData("claude-opus-4-7", "xhigh", "xhigh")]
    [InlineData("claude-opus-4-7", "low", "low")]
    [InlineData("claude-sonnet-4-6", "xhigh", "high")]
    public async Task ChatClient_ReasoningEffort_OnClaude46Onwards_AsksForAdaptiveThinking(string model, string effort, string expected)
    {
        await using var bed = await StartAsync(model);

        await AssertAnsweredAsync(bed, "v1/chat/completions", new JsonObject
        {
            ["model"] = model,
            ["reasoning_effort"] = effort,
            ["temperature"] = 0.3,
            ["messages"] = new JsonArray(User("hi")),
        });

        var sent = bed.Upstream.Last.Json;
        Assert.Equal("""{"type":"adaptive","display":"summarized"}""", sent.GetProperty("thinking").GetRawText());
        Assert.Equal(expected, sent.GetProperty("output_config").GetProperty("effort").GetString());
        Assert.False(sent.TryGetProperty("temperature", out _));
    }

    [Fact]
    public async Task ResponsesClient_ReasoningEffort_OnAnAdaptiveOnlyModel_AsksForAdaptiveThinking()
    {
        await using var bed = await StartAsync("claude-opus-4-7");

        await AssertAnsweredAsync(bed, "v1/responses", new JsonObject
        {
            ["model"] = "claude-opus-4-7",
            ["input"] = "hi",
            ["reasoning"] = new JsonObject { ["effort"] = "medium" },
            ["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["name"] = "r", ["schema"] = new JsonObject { ["type"] = "object" } } },
        });

        var config = bed.Upstream.Last.Json.GetProperty("output_config");
        Assert.Equal("medium", config.GetProperty("effort").GetString());
        Assert.Equal("json_schema", config.GetProperty("format").GetProperty("type").GetString());
    }

    /// <summary>Claude before 4.6 knows only the budget (the fake refuses adaptive thinking there).</summary>
    [Fact]
    public async Task ChatClient_ReasoningEffort_OnAnOlderClaude_KeepsTheBudget()
    {
        await using var bed = await StartAsync("claude-sonnet-4-5");

        await AssertAnsweredAsync(bed, "v1/chat/completions", new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["reasoning_effort"] = "medium",
            ["messages"] = new JsonArray(User("hi")),
        });

        var sent = bed.Upstream.Last.Json;
        Assert.Equal(8192, sent.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.False(sent.TryGetProperty("output_config", out _));
    }

    [Fact]
    public async Task ChatClient_EndingWithAnAssistantMessage_IsAnsweredAfterIt()
    {
        await using var bed = await StartAsync("claude-sonnet-4-6");

        await AssertAnsweredAsync(bed, "v1/chat/completions", new JsonObject
        {
            ["model"] = "claude-sonnet-4-6",
            ["messages"] = new JsonArray(User("hi"), new JsonObject { ["role"] = "assistant", ["content"] = "Hello! Anything else?" }),
        });

        var messages = bed.Upstream.Last.Json.GetProperty("messages");
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        Assert.Equal("user", messages[2].GetProperty("role").GetString());
        Assert.Equal("Continue.", messages[2].GetProperty("content")[0].GetProperty("text").GetString());
    }

    /// <summary>DeepSeek's prefix completion asks for the last assistant message to be continued: an Anthropic prefill.</summary>
    [Fact]
    public async Task ChatClient_AskingForAPrefixCompletion_KeepsThePrefill()
    {
        await using var bed = await StartAsync("claude-sonnet-4-5");

        await AssertAnsweredAsync(bed, "v1/chat/completions", new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["messages"] = new JsonArray(User("Write a haiku"), new JsonObject { ["role"] = "assistant", ["content"] = "Autumn", ["prefix"] = true }),
        });

        var messages = bed.Upstream.Last.Json.GetProperty("messages");
        Assert.Equal(2, messages.GetArrayLength());
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
    }

    /// <summary>A summary request after a tool loop, the tools taken away (as clients compact a conversation).</summary>
    [Fact]
    public async Task ChatClient_WithToolHistoryButNoTools_GetsAPlaceholderToolItCannotCall()
    {
        await using var bed = await StartAsync("claude-sonnet-4-5");
        var call = new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = """{"city":"Paris"}""" } };

        await AssertAnsweredAsync(bed, "v1/chat/completions", new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["messages"] = new JsonArray(
                User("weather in Paris?"),
                new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call) },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "sunny" },
                User("Summarize the conversation.")),
        });

        var sent = bed.Upstream.Last.Json;
        Assert.Equal("no_tool_available", sent.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.Equal("none", sent.GetProperty("tool_choice").GetProperty("type").GetString());
    }

    [Fact]
    public async Task ResponsesClient_WithToolHistoryButNoTools_IsAnswered()
    {
        await using var bed = await StartAsync("claude-sonnet-4-5");

        await AssertAnsweredAsync(bed, "v1/responses", new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["input"] = new JsonArray(
                User("weather in Paris?"),
                new JsonObject { ["type"] = "function_call", ["call_id"] = "call_1", ["name"] = "get_weather", ["arguments"] = "{}" },
                new JsonObject { ["type"] = "function_call_output", ["call_id"] = "call_1", ["output"] = "sunny" },
                User("Summarize the conversation.")),
            ["tools"] = new JsonArray(),
        });

        Assert.Equal("none", bed.Upstream.Last.Json.GetProperty("tool_choice").GetProperty("type").GetString());
    }

    /// <summary>A percent-encoded PNG data URL (RFC 2397 without base64) goes as its bytes in a base64 source.</summary>
    [Fact]
    public async Task ChatClient_PercentEncodedImageDataUrl_GoesAsABase64Source()
    {
        await using var bed = await StartAsync("claude-sonnet-4-5");

        await AssertAnsweredAsync(bed, "v1/chat/completions", new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(
                new JsonObject { ["type"] = "text", ["text"] = "what is it?" },
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/PNG;charset=binary,%89PNG%0D%0A%1a%0Aé" } })
            }),
        });

        var source = bed.Upstream.Last.Json.GetProperty("messages")[0].GetProperty("content")[1].GetProperty("source");
        Assert.Equal("base64", source.GetProperty("type").GetString());
        Assert.Equal("image/png", source.GetProperty("media_type").GetString());
        Assert.Equal(Convert.ToBase64String([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0xC3, 0xA9]), source.GetProperty("data").GetString());
    }

    [Fact]
    public async Task ChatClient_SvgDataUrl_IsRefusedNamingTheTypesAnthropicTakes()
    {
        await using var bed = await StartAsync("claude-sonnet-4-5");
        var request = new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'/>" } })
            }),
        };

        using var response = await bed.PostAsync("v1/chat/completions", request.ToJsonString());

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "An image data URL of type \"image/svg+xml\" cannot be sent to this model's Anthropic upstream, which takes image/jpeg, image/png, image/gif and image/webp.",
            JsonNode.Parse(text)!["error"]!["message"]!.GetValue<string>());
    }

    /// <summary>A Chat client that kept Keyway's thinking_blocks moves to an OpenAI-protocol route: they are cut, the rest kept.</summary>
    [Fact]
    public async Task ChatClient_KeepingThinkingBlocks_OnAChatUpstream_SendsThemNot()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var body = $$"""
            {"model":"{{GatewayTestBed.OpenAIAlias}}","messages":[{"role":"user","content":"hi"},
             {"thinking_blocks":[{"type":"thinking","thinking":"t","signature":"sig"}],"role":"assistant","content":"hello","x_keep":1},
             {"role":"assistant","content":"more","thinking_blocks":[{"type":"redacted_thinking","data":"d"}]},{"role":"user","content":"and?"}]}
            """;

        using var response = await bed.PostAsync("v1/chat/completions", body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(
            """{"role":"assistant","content":"hello","x_keep":1}|{"role":"assistant","content":"more"}""",
            string.Join('|', bed.Upstream.Last.Json.GetProperty("messages").EnumerateArray().Skip(1).Take(2).Select(message => message.GetRawText())));
    }

    private static JsonObject User(string text) => new() { ["role"] = "user", ["content"] = text };

    /// <summary>The test bed with a route named as its Anthropic upstream model.</summary>
    private static async Task<GatewayTestBed> StartAsync(string model)
    {
        var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", model, GatewayTestBed.AnthropicProvider, model);
        return bed;
    }

    private static async Task AssertAnsweredAsync(GatewayTestBed bed, string path, JsonObject request)
    {
        using var response = await bed.PostAsync(path, request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
    }
}
