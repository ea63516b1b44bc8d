using System.Net;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>An upstream that refuses a request's tools is asked once more without them; the log row says what went.</summary>
public sealed class ToolFallbackGatewayTests
{
    private static readonly string Request =
        """{"model":"ALIAS","tools":[{"type":"web_search_preview"},{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"hi"}]}"""
            .Replace("ALIAS", GatewayTestBed.OpenAIAlias, StringComparison.Ordinal);

    [Fact]
    public async Task ToolError_IsRetriedOnceWithoutTheTool_AndLogged()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, "Unsupported tool type: web_search_preview", "invalid_request_error"));

        using var response = await bed.PostAsync("v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, bed.Upstream.RequestCount);
        var tools = bed.Upstream.Last.Json.GetProperty("tools").EnumerateArray().ToArray();
        Assert.Equal("function", Assert.Single(tools).GetProperty("type").GetString());
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal("tools: web_search_preview", log.GetProperty("tool_fallback").GetString());
        Assert.Equal(2, log.GetProperty("attempts").GetInt32());
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task ToolErrorAgain_IsRelayed_WithoutASecondRetry()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, "tools are not supported by this model", "invalid_request_error"), times: 2);

        using var response = await bed.PostAsync("v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task OtherCallerErrors_AreRelayedAsTheyAre()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, "messages must not be empty", "invalid_request_error"));

        using var response = await bed.PostAsync("v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, bed.Upstream.RequestCount);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(System.Text.Json.JsonValueKind.Null, log.GetProperty("tool_fallback").ValueKind);
    }
}
