using System.Net;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// Claude Code and Codex on a route whose upstream model is one of OpenAI's reasoning models (the fake refuses what
/// OpenAI's do, <see cref="FakeReasoningModels"/>): the translated request names its limit <c>max_completion_tokens</c>
/// and leaves out the sampling parameters those models refuse; a Chat client's own body is passed on as sent.
/// </summary>
public sealed class OpenAIReasoningModelTests
{
    private const string Alias = "o3-alias";
    private const string Model = "o3";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnthropicClient_OnAReasoningModel_IsAnswered(bool stream)
    {
        await using var bed = await StartAsync();

        using var response = await bed.PostAsync("/v1/messages", $$"""
            {"model":"{{Alias}}","max_tokens":2048,"temperature":0.2,"top_p":0.9,"stop_sequences":["END"],"stream":{{(stream ? "true" : "false")}},
             "messages":[{"role":"user","content":"hi"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("end_turn", await response.Content.ReadAsStringAsync());
        var sent = bed.Upstream.Last.Json;
        Assert.Equal(2048, sent.GetProperty("max_completion_tokens").GetInt32());
        Assert.False(sent.TryGetProperty("max_tokens", out _));
        Assert.False(sent.TryGetProperty("temperature", out _));
    }

    [Fact]
    public async Task ResponsesClient_OnAReasoningModel_IsAnswered()
    {
        await using var bed = await StartAsync();

        using var response = await bed.PostAsync("/v1/responses", $$"""{"model":"{{Alias}}","input":"hi","max_output_tokens":512,"temperature":0.5,"top_p":0.8}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(FakeUpstream.ReplyText(Model), await response.Content.ReadAsStringAsync());
        Assert.Equal(512, bed.Upstream.Last.Json.GetProperty("max_completion_tokens").GetInt32());
    }

    [Fact]
    public async Task AnthropicClient_OnACompatibleVendor_KeepsMaxTokensAndSampling()
    {
        await using var bed = await StartAsync();

        using var response = await bed.PostAsync("/v1/messages", $$"""
            {"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":2048,"temperature":0.2,"messages":[{"role":"user","content":"hi"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = bed.Upstream.Last.Json;
        Assert.Equal(2048, sent.GetProperty("max_tokens").GetInt32());
        Assert.False(sent.TryGetProperty("max_completion_tokens", out _));
        Assert.Equal(0.2, sent.GetProperty("temperature").GetDouble());
    }

    [Theory]
    [InlineData("max_completion_tokens", HttpStatusCode.OK)]
    [InlineData("max_tokens", HttpStatusCode.BadRequest)]
    public async Task ChatClient_OnAReasoningModel_IsPassedThroughAsSent(string limit, HttpStatusCode expected)
    {
        await using var bed = await StartAsync();
        var body = $$"""{"model":"{{Alias}}","messages":[{"role":"user","content":"hi"}],"{{limit}}":77}""";

        using var response = await bed.PostAsync("/v1/chat/completions", body);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(body.Replace(Alias, Model, StringComparison.Ordinal), bed.Upstream.Last.Body);
    }

    private static async Task<GatewayTestBed> StartAsync()
    {
        var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", Alias, GatewayTestBed.OpenAIProvider, Model);
        return bed;
    }
}
