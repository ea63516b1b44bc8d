using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>The provider field <c>native_endpoints</c>: protocol name → base URL, for protocols other than the main one.</summary>
public sealed class ProviderNativeEndpointsAdminTests
{
    private const string DeepSeekAnthropic = "https://api.deepseek.com/anthropic";

    [Fact]
    public async Task Create_StoresNativeEndpoints_ShownInGetAndList()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        await CreateDeepSeekAsync(server, new JsonObject { ["anthropic"] = DeepSeekAnthropic + " " });

        foreach (var path in new[] { "admin/llm/providers/deepseek", "admin/llm/groups/default/providers" })
        {
            var body = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, path);
            var shown = body.TryGetProperty("provider", out var single) ? single : body.GetProperty("providers")[0];
            Assert.Equal($$"""{"anthropic":"{{DeepSeekAnthropic}}"}""", shown.GetProperty("native_endpoints").GetRawText());
        }
    }

    [Fact]
    public async Task Create_WithoutNativeEndpoints_ShowsAnEmptyObject()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var created = await AdminApi.CreateProviderAsync(server.Admin, "default", "deepseek", "https://api.deepseek.com/v1");

        Assert.Equal("{}", created.GetProperty("provider").GetProperty("native_endpoints").GetRawText());
    }

    [Theory]
    [InlineData("""{"gemini":"https://example.com"}""", "native_endpoints keys must be protocols: openai, anthropic, openai-responses; got 'gemini'")]
    [InlineData("""{"openai":"https://example.com/v1"}""", "native_endpoints must not name the main protocol 'openai': base_url serves it")]
    [InlineData("""{"anthropic":"ftp://example.com"}""", "native_endpoints must be an absolute http(s) URL")]
    [InlineData("""{"anthropic":"/anthropic"}""", "native_endpoints must be an absolute http(s) URL")]
    [InlineData("""{"anthropic":""}""", "native_endpoints.anthropic must be an absolute http(s) URL")]
    [InlineData("""{"anthropic":1}""", "native_endpoints.anthropic must be a string")]
    [InlineData("""["anthropic"]""", "native_endpoints must be an object of strings")]
    public async Task Create_InvalidNativeEndpoints_Returns400NamingTheField(string nativeEndpoints, string detail)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/providers",
            $$"""{"provider_id":"p","name":"p","base_url":"https://api.deepseek.com/v1","api_key":"k","native_endpoints":{{nativeEndpoints}}}""");

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, detail, "native_endpoints");
        Assert.Equal(HttpStatusCode.NotFound, (await AdminApi.GetAsync(server.Admin, "admin/llm/providers/p")).Status);
    }

    [Theory]
    [InlineData("""{"note":"kept"}""", $$"""{"anthropic":"{{DeepSeekAnthropic}}"}""")]
    [InlineData("""{"native_endpoints":null}""", "{}")]
    [InlineData("""{"native_endpoints":{}}""", "{}")]
    [InlineData("""{"native_endpoints":{"openai-responses":"https://example.com/v1"}}""", """{"openai-responses":"https://example.com/v1"}""")]
    public async Task Patch_AbsentKeeps_NullOrEmptyClears_ObjectReplaces(string patch, string expected)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await CreateDeepSeekAsync(server, new JsonObject { ["anthropic"] = DeepSeekAnthropic });

        var patched = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, "admin/llm/providers/deepseek", patch);

        Assert.Equal(expected, patched.GetProperty("provider").GetProperty("native_endpoints").GetRawText());
        var stored = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/deepseek");
        Assert.Equal(expected, stored.GetProperty("provider").GetProperty("native_endpoints").GetRawText());
    }

    [Fact]
    public async Task Patch_ProtocolOntoANativeEndpoint_Returns400_AndKeepsTheProvider()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await CreateDeepSeekAsync(server, new JsonObject { ["anthropic"] = DeepSeekAnthropic });

        var reply = await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/deepseek", new JsonObject { ["protocol"] = "anthropic" });

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, "native_endpoints must not name the main protocol 'anthropic': base_url serves it", "native_endpoints");
        var stored = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/deepseek")).GetProperty("provider");
        Assert.Equal("openai", stored.GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task GroupCopy_CopiesNativeEndpoints()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await CreateDeepSeekAsync(server, new JsonObject { ["anthropic"] = DeepSeekAnthropic });

        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/copy", new JsonObject { ["new_name"] = "Copy", ["new_group_id"] = "dst" });

        var copied = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/dst.deepseek")).GetProperty("provider");
        Assert.Equal(DeepSeekAnthropic, copied.GetProperty("native_endpoints").GetProperty("anthropic").GetString());
    }

    private static Task<JsonElement> CreateDeepSeekAsync(KeywayServer server, JsonObject nativeEndpoints) =>
        AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = "deepseek",
            ["name"] = "DeepSeek",
            ["base_url"] = "https://api.deepseek.com/v1",
            ["protocol"] = "openai",
            ["api_key"] = "sk-deepseek-0123456789",
            ["native_endpoints"] = nativeEndpoints,
        });
}
