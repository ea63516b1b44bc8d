using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// Extended thinking across protocols on an Anthropic upstream whose fake enforces Anthropic's rules
/// (<see cref="FakeAnthropicThinking"/>: "Preserving thinking blocks", https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking,
/// and https://platform.claude.com/docs/build-with-claude/thinking-tool-workflows). A Chat client gets the signed blocks
/// as the assistant message's <c>thinking_blocks</c> (LiteLLM's field, https://docs.litellm.ai/docs/reasoning_content), a
/// Responses client as its reasoning item's <c>encrypted_content</c> (https://platform.openai.com/docs/api-reference/responses/object);
/// sent back, they open the tool turn again. A client that drops them continues its tool loop without thinking.
/// </summary>
public sealed class ThinkingToolLoopTests
{
    private static readonly JsonArray ChatTools = (JsonArray)JsonNode.Parse(
        """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""")!;

    private static readonly JsonArray ResponsesTools = (JsonArray)JsonNode.Parse(
        """[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""")!;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatClient_SendingTheThinkingBlocksBack_ContinuesItsToolLoopWithThinking(bool stream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var messages = new JsonArray { AskForTheTool() };

        var assistant = await ChatTurnAsync(bed, messages, stream);
        Assert.Equal(FakeAnthropicThinking.Text, assistant["reasoning_content"]!.GetValue<string>());
        AnswerTheToolCall(messages, assistant);
        await ChatTurnAsync(bed, messages, stream);

        var upstream = bed.Upstream.Last.Json;
        Assert.Equal("enabled", upstream.GetProperty("thinking").GetProperty("type").GetString());
        var replayed = upstream.GetProperty("messages")[1].GetProperty("content");
        Assert.Equal(FakeAnthropicThinking.Signature(FakeAnthropicThinking.Text), replayed[0].GetProperty("signature").GetString());
        Assert.Equal(FakeAnthropicThinking.RedactedData, replayed[1].GetProperty("data").GetString());
    }

    /// <summary>The audit's repro (/tmp/audit-clients t1.json, t2.json): a plain Chat client keeps only reasoning_content.</summary>
    [Fact]
    public async Task ChatClient_DroppingTheThinkingBlocks_ContinuesItsToolLoopWithoutThinking()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var messages = new JsonArray { AskForTheTool() };

        var assistant = await ChatTurnAsync(bed, messages, stream: false);
        assistant.Remove("thinking_blocks");
        AnswerTheToolCall(messages, assistant);
        await ChatTurnAsync(bed, messages, stream: false);

        Assert.False(bed.Upstream.Last.Json.TryGetProperty("thinking", out _));
    }

    /// <summary>The route's default effort turns thinking on for a client that never asked: the same rules hold.</summary>
    [Fact]
    public async Task RouteDefaultEffort_OnAPlainChatClient_LeavesTheAnswerItsRoom_AndSurvivesTheToolLoop()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await SetRouteAsync(bed, new JsonObject { ["default_reasoning_effort"] = "high" });
        var messages = new JsonArray { AskForTheTool() };

        var assistant = await ChatTurnAsync(bed, messages, stream: false, effort: null);
        var first = bed.Upstream.Last.Json;
        Assert.Equal(24576, first.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.Equal(24576 + 4096, first.GetProperty("max_tokens").GetInt32());
        assistant.Remove("thinking_blocks");
        AnswerTheToolCall(messages, assistant);
        await ChatTurnAsync(bed, messages, stream: false, effort: null);

        Assert.False(bed.Upstream.Last.Json.TryGetProperty("thinking", out _));
    }

    /// <summary>max_tokens_cap 8192 under reasoning_effort high (budget 24,576): the budget is fitted below the cap.</summary>
    [Fact]
    public async Task MaxTokensCap_KeepsTheThinkingBudgetBelowMaxTokens()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await SetRouteAsync(bed, new JsonObject { ["max_tokens_cap"] = 8192 });

        await ChatTurnAsync(bed, [new JsonObject { ["role"] = "user", ["content"] = "hi" }], stream: false, effort: "high");

        var sent = bed.Upstream.Last.Json;
        Assert.Equal(8192, sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal(4096, sent.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResponsesClient_ReplayingItsOutput_ContinuesItsToolLoopWithThinking(bool stream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var input = new JsonArray { AskForTheTool() };

        var output = (await ResponsesTurnAsync(bed, Turn(input, stream, store: false), stream))["output"]!.AsArray();
        var reasoning = output.Single(item => item!["type"]!.GetValue<string>() == "reasoning")!;
        Assert.StartsWith("keyway-thinking-v1:", reasoning["encrypted_content"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var item in output)
        {
            input.Add(item!.DeepClone());
        }
        input.Add(ToolOutput(output));
        await ResponsesTurnAsync(bed, Turn(input, stream, store: false), stream);

        AssertReplayedThinking(bed.Upstream.Last.Json);
    }

    [Fact]
    public async Task ResponsesClient_ContinuingWithPreviousResponseId_ContinuesItsToolLoopWithThinking()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var first = Turn([AskForTheTool()], stream: false, store: true);

        var answer = await ResponsesTurnAsync(bed, first, stream: false);
        var second = Turn([ToolOutput(answer["output"]!.AsArray())], stream: false, store: true);
        second["previous_response_id"] = answer["id"]!.DeepClone();
        await ResponsesTurnAsync(bed, second, stream: false);

        AssertReplayedThinking(bed.Upstream.Last.Json);
    }

    /// <summary>
    /// Keyway's own thinking blocks (translated from a Chat upstream's reasoning_content, <c>signature:""</c>) that Claude
    /// Code echoes are left out on an Anthropic route, the rest of the body kept byte for byte; the tool turn they opened
    /// then goes without thinking.
    /// </summary>
    [Fact]
    public async Task AnthropicClient_EchoingKeywaysUnsignedThinking_IsPassedThroughWithoutIt()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var body = $$$"""
            {"model":"{{{GatewayTestBed.AnthropicAlias}}}","max_tokens":8000,"thinking":{"type":"enabled","budget_tokens":2048},"x_keep":{"a":[1,"ü\u00e9"]},"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],
             "messages":[{"role":"user","content":"use the tool get_weather"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"mine","signature":""},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}]}
            """;

        using var response = await bed.PostAsync("v1/messages", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = bed.Upstream.Last.Body;
        Assert.DoesNotContain("\"signature\":\"\"", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("\"thinking\":{", sent, StringComparison.Ordinal);
        Assert.Contains("\"x_keep\":{\"a\":[1,\"ü\\u00e9\"]}", sent, StringComparison.Ordinal);
        Assert.Contains("{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}", sent, StringComparison.Ordinal);
    }

    /// <summary>The user message that makes the fake call get_weather.</summary>
    private static JsonObject AskForTheTool() => new() { ["role"] = "user", ["content"] = $"{FakeUpstream.ToolTrigger} get_weather for Paris" };

    /// <summary>The assistant message, and its tool call's result, appended to a Chat conversation.</summary>
    private static void AnswerTheToolCall(JsonArray messages, JsonObject assistant)
    {
        messages.Add(assistant);
        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = assistant["tool_calls"]![0]!["id"]!.DeepClone(), ["content"] = "sunny" });
    }

    private static void AssertReplayedThinking(JsonElement upstream)
    {
        Assert.Equal("enabled", upstream.GetProperty("thinking").GetProperty("type").GetString());
        var assistant = upstream.GetProperty("messages").EnumerateArray().First(message => message.GetProperty("role").GetString() == "assistant");
        Assert.Equal(FakeAnthropicThinking.Signature(FakeAnthropicThinking.Text), assistant.GetProperty("content")[0].GetProperty("signature").GetString());
        Assert.Equal(FakeAnthropicThinking.RedactedData, assistant.GetProperty("content")[1].GetProperty("data").GetString());
    }

    private static JsonObject Turn(JsonArray input, bool stream, bool store) => new()
    {
        ["model"] = GatewayTestBed.AnthropicAlias,
        ["input"] = input.DeepClone(),
        ["tools"] = ResponsesTools.DeepClone(),
        ["reasoning"] = new JsonObject { ["effort"] = "medium" },
        ["include"] = new JsonArray("reasoning.encrypted_content"),
        ["store"] = store,
        ["stream"] = stream,
    };

    private static JsonObject ToolOutput(JsonArray output) => new()
    {
        ["type"] = "function_call_output",
        ["call_id"] = output.Single(item => item!["type"]!.GetValue<string>() == "function_call")!["call_id"]!.DeepClone(),
        ["output"] = "sunny",
    };

    /// <summary>One Chat turn, answered 200; returns the assistant message (a stream's deltas put together).</summary>
    private static async Task<JsonObject> ChatTurnAsync(GatewayTestBed bed, JsonArray messages, bool stream, string? effort = "medium")
    {
        var request = new JsonObject
        {
            ["model"] = GatewayTestBed.AnthropicAlias,
            ["messages"] = messages.DeepClone(),
            ["tools"] = ChatTools.DeepClone(),
            ["stream"] = stream,
        };
        if (effort is not null)
        {
            request["reasoning_effort"] = effort;
        }
        using var response = await bed.PostAsync("v1/chat/completions", request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return stream ? MessageOfStream(text) : JsonNode.Parse(text)!["choices"]![0]!["message"]!.AsObject().DeepClone().AsObject();
    }

    /// <summary>The assistant message a Chat stream's deltas add up to, as a client that keeps thinking_blocks builds it.</summary>
    private static JsonObject MessageOfStream(string stream)
    {
        var (content, reasoning, blocks, calls) = ("", "", new JsonArray(), new JsonArray());
        foreach (var line in stream.Split('\n').Where(line => line.StartsWith("data: {", StringComparison.Ordinal)))
        {
            if (JsonNode.Parse(line["data: ".Length..])!["choices"] is not JsonArray { Count: > 0 } choices || choices[0]!["delta"] is not JsonObject delta)
            {
                continue;
            }
            content += delta["content"]?.GetValue<string>();
            reasoning += delta["reasoning_content"]?.GetValue<string>();
            foreach (var block in delta["thinking_blocks"] as JsonArray ?? [])
            {
                blocks.Add(block!.DeepClone());
            }
            foreach (var call in delta["tool_calls"] as JsonArray ?? [])
            {
                if (call!["id"] is not null)
                {
                    calls.Add(new JsonObject { ["id"] = call["id"]!.DeepClone(), ["type"] = "function", ["function"] = new JsonObject { ["name"] = call["function"]!["name"]!.DeepClone(), ["arguments"] = "" } });
                }
                var function = calls[^1]!["function"]!;
                function["arguments"] = function["arguments"]!.GetValue<string>() + call["function"]?["arguments"]?.GetValue<string>();
            }
        }
        return new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = content.Length > 0 ? content : null,
            ["reasoning_content"] = reasoning,
            ["thinking_blocks"] = blocks,
            ["tool_calls"] = calls,
        };
    }

    /// <summary>One Responses turn, answered 200 and completed; returns the response (a stream's from <c>response.completed</c>).</summary>
    private static async Task<JsonNode> ResponsesTurnAsync(GatewayTestBed bed, JsonObject request, bool stream)
    {
        using var response = await bed.PostAsync("v1/responses", request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var answer = stream
            ? JsonNode.Parse(text.Split('\n').Last(line => line.StartsWith("data: {\"type\":\"response.completed\"", StringComparison.Ordinal))["data: ".Length..])!["response"]!
            : JsonNode.Parse(text)!;
        Assert.True(answer["status"]!.GetValue<string>() == "completed", text);
        return answer;
    }

    private static async Task SetRouteAsync(GatewayTestBed bed, JsonObject patch)
    {
        var routes = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/routes")).GetProperty("routes");
        var routeId = routes.EnumerateArray().Single(route => route.GetProperty("alias").GetString() == GatewayTestBed.AnthropicAlias).GetProperty("route_id").GetString();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", patch);
    }
}
