using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A provider's <c>thinking_switch</c>: a client's thinking on or off reaches a Chat vendor in the vendor's own switch,
/// since <c>reasoning_effort</c> alone does not turn thinking off there. DeepSeek, GLM, Kimi and Ark take
/// <c>thinking: {"type": "enabled"|"disabled"}</c> (https://api-docs.deepseek.com/guides/thinking_mode: "Thinking Mode
/// Toggle … {"thinking": {"type": "enabled/disabled"}}", "none disables thinking mode"; https://platform.kimi.ai/docs/api/models-overview:
/// "Accepts {"type": "enabled"} or {"type": "disabled"}"), Qwen on DashScope <c>enable_thinking: true|false</c>
/// (https://help.aliyun.com/en/model-studio/deep-thinking: "Use the enable_thinking parameter to switch between thinking
/// and non-thinking on a per-request basis").
/// </summary>
public sealed class ThinkingSwitchTests
{
    private const string ClaudeCodeTurn = $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":64,"messages":[{"role":"user","content":"hi"}]""";

    /// <summary>The audit's repro (/tmp/audit-providers cc.json): Claude Code's thinking choice never reached the vendor.</summary>
    [Theory]
    [InlineData("thinking_type", ""","thinking":{"type":"disabled"}""", "thinking", """{"type":"disabled"}""")]
    [InlineData("thinking_type", ""","thinking":{"type":"enabled","budget_tokens":10000}""", "thinking", """{"type":"enabled"}""")]
    [InlineData("enable_thinking", ""","thinking":{"type":"adaptive"}""", "enable_thinking", "true")]
    [InlineData("enable_thinking", ""","thinking":{"type":"disabled"}""", "enable_thinking", "false")]
    public async Task AnthropicClientsThinking_ReachesTheVendorInItsSwitch(string thinkingSwitch, string thinking, string field, string expected)
    {
        await using var bed = await StartAsync(thinkingSwitch);

        using var reply = await bed.PostAsync("v1/messages", ClaudeCodeTurn + thinking + "}", ("anthropic-version", "2023-06-01"));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(expected, bed.Upstream.Last.Json.GetProperty(field).GetRawText());
    }

    /// <summary>A Chat client's own reasoning_effort (passed through) is put in the switch; one it already set is its own.</summary>
    [Theory]
    [InlineData("thinking_type", ""","reasoning_effort":"none" """, "thinking", """{"type":"disabled"}""")]
    [InlineData("thinking_type", ""","reasoning_effort":"low" """, "thinking", """{"type":"enabled"}""")]
    [InlineData("enable_thinking", ""","reasoning_effort":"high" """, "enable_thinking", "true")]
    [InlineData("enable_thinking", ""","reasoning_effort":"high","enable_thinking":false""", "enable_thinking", "false")]
    public async Task ChatClientsReasoningEffort_ReachesTheVendorInItsSwitch(string thinkingSwitch, string effort, string field, string expected)
    {
        await using var bed = await StartAsync(thinkingSwitch);

        using var reply = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat[..^1] + effort + "}");

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(expected, bed.Upstream.Last.Json.GetProperty(field).GetRawText());
    }

    /// <summary>Without the setting (its default, none) nothing is added: the request goes as before.</summary>
    [Fact]
    public async Task NoSwitch_AddsNothing()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var reply = await bed.PostAsync("v1/messages", ClaudeCodeTurn + ""","thinking":{"type":"disabled"}}""", ("anthropic-version", "2023-06-01"));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.False(bed.Upstream.Last.Json.TryGetProperty("thinking", out _));
        Assert.False(bed.Upstream.Last.Json.TryGetProperty("enable_thinking", out _));
    }

    /// <summary>
    /// DeepSeek thinks unless told not to ("Thinking mode is enabled by default") and answers 400 when a tool-call turn
    /// lacks its reasoning ("The reasoning_content in the thinking mode must be passed back to the API",
    /// https://api-docs.deepseek.com/guides/thinking_mode): a Claude Code turn that says nothing of thinking replays an
    /// empty one, as a turn with thinking on does (the audit's cc3); one that turned thinking off needs none.
    /// </summary>
    [Theory]
    [InlineData("", true)]
    [InlineData(""","thinking":{"type":"disabled"}""", false)]
    public async Task AVendorThinkingByDefault_GetsTheToolCallTurnsReasoningPlaceholder_UnlessThinkingIsOff(string thinking, bool placeholder)
    {
        await using var bed = await StartAsync("thinking_type");
        var toolLoop = $$"""
            {"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":64{{thinking}},
             "tools":[{"name":"get_weather","input_schema":{"type":"object"} }],
             "messages":[{"role":"user","content":"weather?"},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{} }]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"} ]} ]}
            """;

        using var reply = await bed.PostAsync("v1/messages", toolLoop, ("anthropic-version", "2023-06-01"));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var assistant = bed.Upstream.Last.Json.GetProperty("messages")[1];
        Assert.Equal(placeholder, assistant.TryGetProperty("reasoning_content", out var reasoning));
        if (placeholder)
        {
            Assert.Equal("", reasoning.GetString());
        }
    }

    /// <summary>A route's default effort turns thinking on for a client that never asked: the switch says so too.</summary>
    [Fact]
    public async Task RouteDefaultEffort_TurnsTheSwitchOn()
    {
        await using var bed = await StartAsync("enable_thinking");
        var routes = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/routes");
        var routeId = routes.GetProperty("routes").EnumerateArray()
            .First(route => route.GetProperty("alias").GetString() == GatewayTestBed.OpenAIAlias).GetProperty("route_id").GetString();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject { ["default_reasoning_effort"] = "low" });

        using var reply = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.True(bed.Upstream.Last.Json.GetProperty("enable_thinking").GetBoolean());
    }

    /// <summary>
    /// A provider's <c>reasoning_replay</c> overrides the rule for its host (every host but OpenAI's and Cerebras's own
    /// APIs takes <c>reasoning_content</c>), for a self-hosted or resold model the host cannot tell: false leaves the
    /// tool-call turn's thinking out, null returns to the rule.
    /// </summary>
    [Fact]
    public async Task ReasoningReplay_OverridesTheHostsRule_AndNullReturnsToIt()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var toolLoop = $$"""
            {"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":64,"thinking":{"type":"enabled","budget_tokens":2048},
             "tools":[{"name":"get_weather","input_schema":{"type":"object"} }],
             "messages":[{"role":"user","content":"weather?"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"Call the tool.","signature":""},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{} }]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"} ]} ]}
            """;
        var path = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}";

        var off = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, path, new JsonObject { ["reasoning_replay"] = false });
        using var withoutReplay = await bed.PostAsync("v1/messages", toolLoop, ("anthropic-version", "2023-06-01"));
        var replayedWhenOff = bed.Upstream.Last.Json.GetProperty("messages")[1].TryGetProperty("reasoning_content", out _);
        var byHost = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, path, new JsonObject { ["reasoning_replay"] = null });
        using var withReplay = await bed.PostAsync("v1/messages", toolLoop, ("anthropic-version", "2023-06-01"));

        Assert.False(off.GetProperty("provider").GetProperty("reasoning_replay").GetBoolean());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (withoutReplay.StatusCode, withReplay.StatusCode));
        Assert.False(replayedWhenOff);
        Assert.Equal(JsonValueKind.Null, byHost.GetProperty("provider").GetProperty("reasoning_replay").ValueKind);
        Assert.Equal("Call the tool.", bed.Upstream.Last.Json.GetProperty("messages")[1].GetProperty("reasoning_content").GetString());
    }

    [Theory]
    [InlineData("reasoning_replay")]
    [InlineData("reasoning_split")]
    public async Task RuleOverride_OtherThanABooleanOrNull_IsRefused(string field)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var reply = await bed.Admin.PatchAsync($"admin/llm/providers/{GatewayTestBed.OpenAIProvider}",
            new StringContent($$"""{"{{field}}":"yes"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Contains($"{field} must be true or false", await reply.Content.ReadAsStringAsync());
    }

    private static async Task<GatewayTestBed> StartAsync(string thinkingSwitch)
    {
        var bed = await GatewayTestBed.StartAsync();
        var provider = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}",
            new JsonObject { ["thinking_switch"] = thinkingSwitch });
        Assert.Equal(thinkingSwitch, provider.GetProperty("provider").GetProperty("thinking_switch").GetString());
        return bed;
    }
}
