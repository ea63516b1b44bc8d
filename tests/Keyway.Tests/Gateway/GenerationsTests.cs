using System.Net.Http.Json;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

public sealed class GenerationsTests
{
    [Fact]
    public async Task RouteWithoutUpstreamPath_Is400()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/generations", """{"model":"gpt-alias","prompt":"a fox"}""");

        await GatewayErrorAssert.OpenAIAsync(response, 400, "route 'gpt-alias' has no upstream_path configured.");
    }

    [Fact]
    public async Task ForwardsToBaseUrlPlusUpstreamPath_WithDashScopeHeaders()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "wanx", GatewayTestBed.OpenAIProvider, "wanx-v1", "/services/aigc/text2image/image-synthesis");

        using var response = await bed.PostAsync("v1/generations", """{"model":"wanx","input":{"prompt":"a red fox"}}""",
            ("X-DashScope-Async", "enable"), ("accept", "application/json"), ("x-other", "dropped"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(200, (int)response.StatusCode);
        var upstream = bed.Upstream.Last;
        Assert.Equal("/v1/services/aigc/text2image/image-synthesis", upstream.Path);
        Assert.Equal("wanx-v1", upstream.Model);
        Assert.Equal("a red fox", upstream.Json.GetProperty("input").GetProperty("prompt").GetString());
        Assert.Equal("enable", upstream.Headers["x-dashscope-async"]);
        Assert.False(upstream.Headers.ContainsKey("x-other"));
        Assert.Equal($"Bearer {AdminApi.DefaultUpstreamKey}", upstream.Headers["authorization"]);
        Assert.Equal("wanx-v1", body.GetProperty("received_model").GetString());
    }

    [Fact]
    public async Task UpstreamErrors_AreRelayedAsIs()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "wanx", GatewayTestBed.OpenAIProvider, "wanx-v1", "images");
        bed.Upstream.Enqueue(FakeReply.Status(400, """{"code":"InvalidParameter","message":"bad size"}"""));

        using var response = await bed.PostAsync("v1/generations", """{"model":"wanx"}""");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("""{"code":"InvalidParameter","message":"bad size"}""", await response.Content.ReadAsStringAsync());
    }
}
