using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A provider's <c>reasoning_split</c>: MiniMax's Chat API puts the model's thinking into <c>content</c> as
/// <c>&lt;think&gt;…&lt;/think&gt;</c> unless a request asks <c>"reasoning_split": true</c>, and takes a tool-call turn's
/// thinking back as <c>reasoning_details</c> (https://platform.minimax.io/docs/api-reference/text-openai-api). The rule by
/// host knows only MiniMax's own APIs; a reseller or proxy passing MiniMax's API on under its own host (here the fake
/// upstream's loopback address) gets the split when the provider says so, and null returns to the rule.
/// </summary>
public sealed class ReasoningSplitTests
{
    private const string ToolLoop = $$"""
        {"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":64,"thinking":{"type":"enabled","budget_tokens":2048},
         "tools":[{"name":"get_weather","input_schema":{"type":"object"} }],
         "messages":[{"role":"user","content":"weather?"},
          {"role":"assistant","content":[{"type":"thinking","thinking":"Call the tool.","signature":""},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{} }]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"} ]} ]}
        """;

    [Fact]
    public async Task ReasoningSplit_AsksMiniMaxsSplitOfAResellersHost_AndNullReturnsToTheHostsRule()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var path = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}";

        var on = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, path, new JsonObject { ["reasoning_split"] = true });
        using var split = await bed.PostAsync("v1/messages", ToolLoop, ("anthropic-version", "2023-06-01"));
        var splitRequest = bed.Upstream.Last.Json.Clone();
        var byHost = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, path, new JsonObject { ["reasoning_split"] = null });
        using var plain = await bed.PostAsync("v1/messages", ToolLoop, ("anthropic-version", "2023-06-01"));
        var plainRequest = bed.Upstream.Last.Json;

        Assert.True(on.GetProperty("provider").GetProperty("reasoning_split").GetBoolean());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (split.StatusCode, plain.StatusCode));
        Assert.True(splitRequest.GetProperty("reasoning_split").GetBoolean());
        Assert.Equal("Call the tool.", splitRequest.GetProperty("messages")[1].GetProperty("reasoning_details")[0].GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, byHost.GetProperty("provider").GetProperty("reasoning_split").ValueKind);
        Assert.False(plainRequest.TryGetProperty("reasoning_split", out _));
        Assert.Equal("Call the tool.", plainRequest.GetProperty("messages")[1].GetProperty("reasoning_content").GetString());
    }
}
