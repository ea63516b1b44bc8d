using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>POST /admin/llm/tool-providers/{id}/test runs one real search with the provider's key and base URL.</summary>
public sealed class ToolProviderTestEndpointTests
{
    [Fact]
    public async Task Test_WorkingProvider_ReportsOk()
    {
        using var dir = new TempDirectory();
        await using var tavily = await FakeTavily.StartAsync();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await WebSearchSetup.CreateTavilyAsync(server.Admin, "default", tavily);

        var body = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/tool-providers/tavily/test", new JsonObject());

        var test = body.GetProperty("test");
        Assert.True(test.GetProperty("ok").GetBoolean());
        Assert.Equal(200, test.GetProperty("status").GetInt32());
        Assert.True(test.GetProperty("latency_ms").GetInt64() >= 0);
        Assert.Equal($"Bearer {FakeTavily.ApiKey}", Assert.Single(tavily.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task Test_RejectedKey_ReportsTheFailure_In200()
    {
        using var dir = new TempDirectory();
        await using var tavily = await FakeTavily.StartAsync();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await WebSearchSetup.CreateTavilyAsync(server.Admin, "default", tavily);
        tavily.FailNext(401);

        var body = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/tool-providers/tavily/test", new JsonObject());

        var test = body.GetProperty("test");
        Assert.False(test.GetProperty("ok").GetBoolean());
        Assert.Equal(401, test.GetProperty("status").GetInt32());
        Assert.Equal("web search failed: HTTP 401", test.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Test_UnknownProvider_Is404()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.PostAsync(server.Admin, "admin/llm/tool-providers/nope/test", new JsonObject());

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
    }
}
