using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// <c>POST /v1/responses/compact</c> (https://platform.openai.com/docs/api-reference/responses/compact): the compacted
/// response object holds every user message of the input, then one <c>compaction</c> item. A Responses upstream compacts
/// itself; on a route translated to Chat the route's model writes the summary Keyway's item carries.
/// </summary>
public sealed class ResponsesCompactTests
{
    private const string CompactRequest = $$"""
        {"model":"{{GatewayTestBed.OpenAIAlias}}","instructions":"You are Codex.","input":[
          {"role":"user","content":"fix the parser"},
          {"type":"function_call","call_id":"call_1","name":"shell","arguments":"{}"},
          {"type":"function_call_output","call_id":"call_1","output":"1 failed"},
          {"type":"message","role":"user","content":[{"type":"input_text","text":"go on"}]}]}
        """;

    [Fact]
    public async Task OnAChatRoute_TheRoutesModelWritesTheSummary_AndTheAnswerIsTheCompactedResponse()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("/v1/responses/compact", CompactRequest);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var compacted = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("response.compaction", compacted["object"]!.GetValue<string>());
        Assert.StartsWith("resp_", compacted["id"]!.GetValue<string>(), StringComparison.Ordinal);
        var output = compacted["output"]!.AsArray();
        Assert.Equal(3, output.Count);
        Assert.Equal("fix the parser", output[0]!["content"]!.GetValue<string>());
        Assert.Equal("go on", output[1]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("compaction", output[2]!["type"]!.GetValue<string>());
        Assert.True(KeywayCompaction.TryOpen(output[2]!["encrypted_content"]!.GetValue<string>(), out var summary));
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), summary);
        Assert.Equal(FakeUpstream.CompletionTokens, compacted["usage"]!["output_tokens"]!.GetValue<int>());

        var upstream = bed.Upstream.Last;
        Assert.Equal("/v1/chat/completions", upstream.Path);
        var messages = upstream.Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal(KeywayCompaction.Prompt, messages[^1].GetProperty("content").GetString());
        Assert.False(upstream.Json.GetProperty("stream").GetBoolean());
    }

    /// <summary>Responses → Chat → Anthropic: the compaction request reaches the Messages API, its summary comes back as Keyway's item.</summary>
    [Fact]
    public async Task OnAnAnthropicRoute_TheSummaryIsWrittenThroughBothHops()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync(
            "/v1/responses/compact", CompactRequest.Replace(GatewayTestBed.OpenAIAlias, GatewayTestBed.AnthropicAlias, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["output"]!.AsArray();
        Assert.True(KeywayCompaction.TryOpen(output[^1]!["encrypted_content"]!.GetValue<string>(), out var summary));
        // The tool result merges into the last user turn on the Anthropic side, so the fake answers as after a tool.
        Assert.Equal(FakeUpstream.ToolResultReplyText(GatewayTestBed.AnthropicModel, "1 failed"), summary);
        var upstream = bed.Upstream.Last;
        Assert.Equal("/v1/messages", upstream.Path);
        Assert.Contains(upstream.Strings(), text => text == KeywayCompaction.Prompt);
        // No tool of the client's: Anthropic refuses the history's tool blocks without tools, so only a placeholder it cannot call.
        Assert.Equal("no_tool_available", upstream.Json.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.Equal("none", upstream.Json.GetProperty("tool_choice").GetProperty("type").GetString());
    }

    [Fact]
    public async Task AStringInput_IsTheOneUserMessageOfTheCompactedOutput()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("/v1/responses/compact", $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","input":"summarize me"}""");

        var output = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["output"]!.AsArray();
        Assert.Equal(2, output.Count);
        Assert.Equal("user", output[0]!["role"]!.GetValue<string>());
        Assert.Equal("summarize me", output[0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("compaction", output[1]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task OnANativeResponsesEndpoint_TheCallPassesThroughToItsCompactPath()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["native_endpoints"] = new JsonObject { ["openai-responses"] = new Uri(bed.Upstream.BaseAddress, "native/v1").ToString() },
        });
        const string Compacted = """{"id":"resp_up","object":"response.compaction","created_at":1,"output":[{"type":"compaction","id":"cmp_up","encrypted_content":"opaque"}],"usage":{"input_tokens":11,"output_tokens":7,"total_tokens":18}}""";
        bed.Upstream.Enqueue(FakeReply.Status(200, Compacted));

        using var response = await bed.PostAsync("/v1/responses/compact", CompactRequest);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Compacted), JsonNode.Parse(await response.Content.ReadAsStringAsync())));
        var upstream = bed.Upstream.Last;
        Assert.Equal("/native/v1/responses/compact", upstream.Path);
        Assert.Equal(GatewayTestBed.OpenAIModel, upstream.Model);
        Assert.Equal(JsonValueKind.Array, upstream.Json.GetProperty("input").ValueKind);
    }
}
