using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>
/// A pool key's own <c>native_endpoints</c> (protocol name → base URL, for protocols other than its provider's main one),
/// checked as the provider's field is.
/// </summary>
public sealed class KeyNativeEndpointsAdminTests
{
    private const string ResellerAnthropic = "https://example.com/tokenplan/anthropic";

    [Fact]
    public async Task AddKey_StoresNativeEndpoints_EveryKeyShowsThem()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "deepseek", "https://api.deepseek.com/v1");

        var added = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/providers/deepseek/keys", new JsonObject
        {
            ["name"] = "reseller",
            ["api_key"] = "sk-reseller-0123456789",
            ["base_url"] = "https://example.com/tokenplan/v1",
            ["native_endpoints"] = new JsonObject { ["anthropic"] = ResellerAnthropic + " " },
        });

        Assert.Equal($$"""{"anthropic":"{{ResellerAnthropic}}"}""", added.GetProperty("key").GetProperty("native_endpoints").GetRawText());
        var keys = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/deepseek")).GetProperty("provider").GetProperty("api_keys");
        Assert.Equal(["{}", $$"""{"anthropic":"{{ResellerAnthropic}}"}"""], keys.EnumerateArray().Select(key => key.GetProperty("native_endpoints").GetRawText()));
    }

    [Theory]
    [InlineData("""{"note":"kept"}""", $$"""{"anthropic":"{{ResellerAnthropic}}"}""")]
    [InlineData("""{"native_endpoints":null}""", "{}")]
    [InlineData("""{"native_endpoints":{}}""", "{}")]
    [InlineData("""{"native_endpoints":{"openai-responses":"https://example.com/v1"}}""", """{"openai-responses":"https://example.com/v1"}""")]
    public async Task PatchKey_AbsentKeeps_NullOrEmptyClears_ObjectReplaces(string patch, string expected)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var keyId = await CreateWithResellerKeyAsync(server);

        var patched = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, $"admin/llm/providers/deepseek/keys/{keyId}", patch);

        Assert.Equal(expected, patched.GetProperty("key").GetProperty("native_endpoints").GetRawText());
        var stored = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/deepseek")).GetProperty("provider").GetProperty("api_keys")[0];
        Assert.Equal(expected, stored.GetProperty("native_endpoints").GetRawText());
    }

    [Theory]
    [InlineData("""{"gemini":"https://example.com"}""", "native_endpoints keys must be protocols: openai, anthropic, openai-responses; got 'gemini'")]
    [InlineData("""{"openai":"https://example.com/v1"}""", "native_endpoints must not name the main protocol 'openai': base_url serves it")]
    [InlineData("""{"anthropic":"ftp://example.com"}""", "native_endpoints must be an absolute http(s) URL")]
    [InlineData("""{"anthropic":""}""", "native_endpoints.anthropic must be an absolute http(s) URL")]
    [InlineData("""["anthropic"]""", "native_endpoints must be an object of strings")]
    public async Task AddAndPatchKey_InvalidNativeEndpoints_Return400NamingTheField(string nativeEndpoints, string detail)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var keyId = await CreateWithResellerKeyAsync(server);

        var added = await AdminApi.PostAsync(server.Admin, "admin/llm/providers/deepseek/keys",
            $$"""{"name":"other","api_key":"sk-other-0123456789","native_endpoints":{{nativeEndpoints}}}""");
        var patched = await AdminApi.PatchAsync(server.Admin, $"admin/llm/providers/deepseek/keys/{keyId}", $$"""{"native_endpoints":{{nativeEndpoints}}}""");

        AdminApi.AssertError(added, HttpStatusCode.BadRequest, detail, "native_endpoints");
        AdminApi.AssertError(patched, HttpStatusCode.BadRequest, detail, "native_endpoints");
    }

    [Theory]
    [InlineData("""{"gemini":"https://example.com"}""", "api_keys.native_endpoints keys must be protocols: openai, anthropic, openai-responses; got 'gemini'")]
    [InlineData("""{"openai":"https://example.com/v1"}""", "api_keys.native_endpoints must not name the main protocol 'openai': base_url serves it")]
    [InlineData("""{"anthropic":1}""", "api_keys.native_endpoints.anthropic must be a string")]
    public async Task CreateProvider_InvalidKeyNativeEndpoints_Returns400NamingApiKeys(string nativeEndpoints, string detail)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/providers",
            $$"""{"provider_id":"p","name":"p","base_url":"https://api.deepseek.com/v1","api_keys":[{"name":"k","api_key":"sk-k-0123456789","native_endpoints":{{nativeEndpoints}}}]}""");

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, detail, "api_keys");
    }

    [Fact]
    public async Task GroupCopy_CopiesAKeysNativeEndpoints()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await CreateWithResellerKeyAsync(server);

        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/copy", new JsonObject { ["new_name"] = "Copy", ["new_group_id"] = "dst" });

        var copied = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/dst.deepseek")).GetProperty("provider").GetProperty("api_keys")[0];
        Assert.Equal(ResellerAnthropic, copied.GetProperty("native_endpoints").GetProperty("anthropic").GetString());
    }

    /// <summary>A provider whose one key (listed in <c>api_keys</c>) has its own base URL and Anthropic endpoint; returns the key's id.</summary>
    private static async Task<string> CreateWithResellerKeyAsync(KeywayServer server)
    {
        var created = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = "deepseek",
            ["name"] = "DeepSeek",
            ["base_url"] = "https://api.deepseek.com/v1",
            ["api_keys"] = new JsonArray(new JsonObject
            {
                ["name"] = "reseller",
                ["api_key"] = "sk-reseller-0123456789",
                ["base_url"] = "https://example.com/tokenplan/v1",
                ["native_endpoints"] = new JsonObject { ["anthropic"] = ResellerAnthropic },
            }),
        });
        return created.GetProperty("provider").GetProperty("api_keys")[0].GetProperty("key_id").GetString()!;
    }
}
