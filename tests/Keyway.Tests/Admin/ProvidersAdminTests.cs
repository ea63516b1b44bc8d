using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

public sealed class ProvidersAdminTests
{
    private const string Secret = "sk-live-abcdefghijklmnop1234";

    [Fact]
    public async Task Create_WithApiKey_MakesOneKeyPool_ShownMasked()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var created = (await AdminApi.CreateProviderAsync(server.Admin, "default", "deepseek", "https://api.deepseek.com/v1", apiKey: Secret))
            .GetProperty("provider");

        Assert.Equal("deepseek", created.GetProperty("provider_id").GetString());
        Assert.Equal("default", created.GetProperty("group_id").GetString());
        Assert.Equal("openai", created.GetProperty("protocol").GetString());
        Assert.Equal(600, created.GetProperty("timeout_seconds").GetInt32());
        Assert.Equal("round_robin", created.GetProperty("routing_mode").GetString());
        Assert.True(created.GetProperty("api_key_set").GetBoolean());
        Assert.Equal("sk-…1234", created.GetProperty("api_key").GetString());
        var key = Assert.Single(created.GetProperty("api_keys").EnumerateArray());
        Assert.Equal("default", key.GetProperty("name").GetString());
        Assert.Equal("sk-…1234", key.GetProperty("api_key").GetString());
        foreach (var path in new[] { "admin/llm/providers/deepseek", "admin/llm/groups/default/providers" })
        {
            var reply = await AdminApi.GetAsync(server.Admin, path);
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.DoesNotContain(Secret, reply.Body.GetRawText());
            var shown = reply.Body.TryGetProperty("provider", out var single) ? single : reply.Body.GetProperty("providers")[0];
            Assert.Equal("sk-…1234", shown.GetProperty("api_key").GetString());
        }
    }

    [Fact]
    public async Task Create_WithApiKeys_KeepsOrder_AndAllFields()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var created = (await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = "claude",
            ["name"] = "Claude",
            ["base_url"] = "https://api.anthropic.com",
            ["protocol"] = "anthropic",
            ["timeout_seconds"] = 30,
            ["extra_headers"] = new JsonObject { ["anthropic-beta"] = "x" },
            ["routing_mode"] = "priority",
            ["note"] = "n",
            ["api_keys"] = new JsonArray(
                new JsonObject { ["name"] = "primary", ["api_key"] = "sk-ant-primary-0001" },
                new JsonObject { ["name"] = "backup", ["api_key"] = "sk-ant-backup-0002" }),
        })).GetProperty("provider");

        Assert.Equal("anthropic", created.GetProperty("protocol").GetString());
        Assert.Equal(30, created.GetProperty("timeout_seconds").GetInt32());
        Assert.Equal("********", created.GetProperty("extra_headers").GetProperty("anthropic-beta").GetString());
        Assert.Equal("priority", created.GetProperty("routing_mode").GetString());
        var keys = created.GetProperty("api_keys").EnumerateArray().ToList();
        Assert.Equal(["primary", "backup"], keys.Select(k => k.GetProperty("name").GetString()));
        Assert.Equal([0, 1], keys.Select(k => k.GetProperty("sort_order").GetInt32()));
    }

    [Theory]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_key":"k","protocol":"gemini"}""", "protocol")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"not a url","api_key":"k"}""", "base_url")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"ftp://127.0.0.1/x","api_key":"k"}""", "base_url")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_key":"k","timeout_seconds":0}""", "timeout_seconds")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_key":"k","timeout_seconds":3601}""", "timeout_seconds")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_key":"k","routing_mode":"random"}""", "routing_mode")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_key":"k","extra_headers":{"a":1}}""", "extra_headers")]
    [InlineData("""{"provider_id":"p/x","name":"p","base_url":"http://127.0.0.1:1","api_key":"k"}""", "provider_id")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1"}""", "api_key")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_keys":[]}""", "api_keys")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_keys":[{"name":"a","api_key":"1"},{"name":"a","api_key":"2"}]}""", "api_keys")]
    [InlineData("""{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_key":"k","api_keys":[{"name":"a","api_key":"1"}]}""", "api_keys")]
    public async Task Create_InvalidField_Returns400NamingIt(string json, string field)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.SendAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", json);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(field, reply.Body.GetProperty("field").GetString());
    }

    /// <summary>
    /// A base URL's user:password would be stored and listed in plain (base URLs are no secret) and sent as Basic auth:
    /// refused wherever a base URL is written, the provider's, a pool key's, a native endpoint's.
    /// </summary>
    [Fact]
    public async Task BaseUrlWithCredentials_IsRefusedWhereverABaseUrlIsWritten()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1");
        const string WithCredentials = "http://user:hunter2@127.0.0.1:1/v1";
        static string Refused(string field) =>
            $"{field} must not carry credentials (user:password@): put the upstream key in api_key, or a vendor's credential in extra_headers";

        var created = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/providers",
            new JsonObject { ["provider_id"] = "p2", ["name"] = "p2", ["base_url"] = WithCredentials, ["api_key"] = Secret });
        var patched = await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/p1", new JsonObject { ["base_url"] = "https://token@127.0.0.1:1/v1" });
        var pooled = await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/p1",
            new JsonObject { ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = Secret, ["base_url"] = WithCredentials }) });
        var keyAdded = await AdminApi.PostAsync(server.Admin, "admin/llm/providers/p1/keys",
            new JsonObject { ["name"] = "b", ["api_key"] = Secret, ["base_url"] = WithCredentials });
        var native = await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/p1",
            new JsonObject { ["native_endpoints"] = new JsonObject { ["anthropic"] = WithCredentials } });

        AdminApi.AssertError(created, HttpStatusCode.BadRequest, Refused("base_url"), "base_url");
        AdminApi.AssertError(patched, HttpStatusCode.BadRequest, Refused("base_url"), "base_url");
        AdminApi.AssertError(pooled, HttpStatusCode.BadRequest, Refused("api_keys"), "api_keys");
        AdminApi.AssertError(keyAdded, HttpStatusCode.BadRequest, Refused("base_url"), "base_url");
        AdminApi.AssertError(native, HttpStatusCode.BadRequest, Refused("native_endpoints"), "native_endpoints");
        Assert.DoesNotContain("hunter2", (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/default/providers")).GetRawText());
    }

    [Fact]
    public async Task Create_ProtocolError_SaysWhatIsAllowed()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.SendAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/providers",
            """{"provider_id":"p","name":"p","base_url":"http://127.0.0.1:1","api_key":"k","protocol":"gemini"}""");

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, "protocol must be one of: openai, anthropic, openai-responses", "protocol");
    }

    [Fact]
    public async Task Create_DuplicateId_Returns409_EvenAcrossGroups()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateGroupAsync(server.Admin, "other");
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1");

        var reply = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/other/providers",
            new JsonObject { ["provider_id"] = "p1", ["name"] = "p1", ["base_url"] = "http://127.0.0.1:1", ["api_key"] = "k" });

        AdminApi.AssertError(reply, HttpStatusCode.Conflict, "provider_id 'p1' already exists");
    }

    [Fact]
    public async Task Create_InUnknownGroup_Returns404()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/nope/providers",
            new JsonObject { ["provider_id"] = "p1", ["name"] = "p1", ["base_url"] = "http://127.0.0.1:1", ["api_key"] = "k" });

        AdminApi.AssertError(reply, HttpStatusCode.NotFound, "group not found: nope");
    }

    [Fact]
    public async Task Patch_ChangesOnlyNamedFields_AndApiKeyReplacesThePool()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/providers", new JsonObject
        {
            ["provider_id"] = "p1",
            ["name"] = "One",
            ["base_url"] = "http://127.0.0.1:1/v1",
            ["note"] = "keep",
            ["extra_headers"] = new JsonObject { ["x-a"] = "1" },
            ["api_key"] = "sk-original-key-0001",
        });

        var patched = (await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, "admin/llm/providers/p1",
            new JsonObject { ["enabled"] = false, ["protocol"] = "anthropic" })).GetProperty("provider");
        Assert.False(patched.GetProperty("enabled").GetBoolean());
        Assert.Equal("anthropic", patched.GetProperty("protocol").GetString());
        Assert.Equal("One", patched.GetProperty("name").GetString());
        Assert.Equal("keep", patched.GetProperty("note").GetString());
        Assert.Equal("********", patched.GetProperty("extra_headers").GetProperty("x-a").GetString());
        Assert.Equal("sk-…0001", patched.GetProperty("api_key").GetString());

        var rekeyed = (await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, "admin/llm/providers/p1",
            new JsonObject { ["api_key"] = "sk-replaced-key-0002" })).GetProperty("provider");
        Assert.Equal("sk-…0002", Assert.Single(rekeyed.GetProperty("api_keys").EnumerateArray()).GetProperty("api_key").GetString());
        Assert.False(rekeyed.GetProperty("enabled").GetBoolean());

        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/p1", new JsonObject { ["protocol"] = "grpc" }),
            HttpStatusCode.BadRequest, "protocol must be one of: openai, anthropic, openai-responses", "protocol");
    }

    [Fact]
    public async Task Delete_CascadesToRoutes_AndListsThem()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1");
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p2", "http://127.0.0.1:1/v1");
        var a = await AdminApi.CreateRouteAsync(server.Admin, "default", "a", "p1", "m");
        var b = await AdminApi.CreateRouteAsync(server.Admin, "default", "b", "p1", "m");
        var kept = await AdminApi.CreateRouteAsync(server.Admin, "default", "c", "p2", "m");

        var deleted = await AdminApi.OkAsync(server.Admin, HttpMethod.Delete, "admin/llm/providers/p1");

        Assert.Equal("provider deleted: p1", deleted.GetProperty("message").GetString());
        Assert.Equal([a, b], deleted.GetProperty("deleted_routes").EnumerateArray().Select(r => r.GetString()));
        var routes = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/default/routes")).GetProperty("routes");
        Assert.Equal(kept, Assert.Single(routes.EnumerateArray()).GetProperty("route_id").GetString());
    }

    [Fact]
    public async Task UnknownProvider_Returns404OnEveryVerb()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        const string detail = "provider not found: nope";

        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, "admin/llm/providers/nope"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/nope", new JsonObject()), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.DeleteAsync(server.Admin, "admin/llm/providers/nope"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/providers/nope/keys", new JsonObject { ["name"] = "n", ["api_key"] = "k" }),
            HttpStatusCode.NotFound, detail);
    }

    [Fact]
    public async Task KeyPool_AddPatchRevealDelete()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1", apiKey: "sk-first-key-000001");

        var added = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/providers/p1/keys",
            new JsonObject { ["name"] = "second", ["api_key"] = "sk-second-key-00002" });
        var keyId = added.GetProperty("key").GetProperty("key_id").GetString()!;
        Assert.Equal(1, added.GetProperty("key").GetProperty("sort_order").GetInt32());
        Assert.Equal("sk-…0002", added.GetProperty("key").GetProperty("api_key").GetString());
        Assert.Equal(2, added.GetProperty("provider").GetProperty("api_keys").GetArrayLength());
        Assert.DoesNotContain("sk-second-key-00002", added.GetRawText());

        var patched = await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, $"admin/llm/providers/p1/keys/{keyId}",
            new JsonObject { ["enabled"] = false, ["sort_order"] = 5 });
        Assert.False(patched.GetProperty("key").GetProperty("enabled").GetBoolean());
        Assert.Equal("second", patched.GetProperty("key").GetProperty("name").GetString());

        var secret = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, $"admin/llm/providers/p1/keys/{keyId}/secret");
        Assert.Equal("sk-second-key-00002", secret.GetProperty("api_key").GetString());
        Assert.Equal(keyId, secret.GetProperty("key_id").GetString());

        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/providers/p1/keys", new JsonObject { ["name"] = "second", ["api_key"] = "k" }),
            HttpStatusCode.Conflict, "key name 'second' already exists for provider 'p1'");

        var deleted = await AdminApi.OkAsync(server.Admin, HttpMethod.Delete, $"admin/llm/providers/p1/keys/{keyId}");
        Assert.Equal($"upstream key deleted: {keyId}", deleted.GetProperty("message").GetString());
        AdminApi.AssertError(await AdminApi.DeleteAsync(server.Admin, $"admin/llm/providers/p1/keys/{keyId}"), HttpStatusCode.NotFound, $"upstream key not found: {keyId}");
        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, $"admin/llm/providers/p1/keys/{keyId}/secret"), HttpStatusCode.NotFound, $"upstream key not found: {keyId}");
        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, $"admin/llm/providers/p1/keys/{keyId}", new JsonObject()), HttpStatusCode.NotFound, $"upstream key not found: {keyId}");
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/providers/p1/keys", new JsonObject { ["name"] = "third" }),
            HttpStatusCode.BadRequest, "api_key is required", "api_key");
    }

    [Fact]
    public async Task MaskedKey_IsRefusedEverywhere_AndTheStoredKeyKept()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1", apiKey: "sk-first-key-000001");
        var shown = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/p1");
        var key = shown.GetProperty("provider").GetProperty("api_keys")[0];
        var keyId = key.GetProperty("key_id").GetString()!;
        var mask = key.GetProperty("api_key").GetString()!;
        var refused = $"api_key is a masked value ({mask}), not a key: send the key itself";

        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/p1", new JsonObject { ["api_key"] = mask }),
            HttpStatusCode.BadRequest, refused, "api_key");
        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, "admin/llm/providers/p1",
                new JsonObject { ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "default", ["api_key"] = mask }) }),
            HttpStatusCode.BadRequest, $"api_keys is a masked value ({mask}), not a key: send the key itself", "api_keys");
        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, $"admin/llm/providers/p1/keys/{keyId}", new JsonObject { ["api_key"] = mask }),
            HttpStatusCode.BadRequest, refused, "api_key");
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/providers/p1/keys", new JsonObject { ["name"] = "b", ["api_key"] = "********" }),
            HttpStatusCode.BadRequest, "api_key is a masked value (********), not a key: send the key itself", "api_key");
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/tool-providers", new JsonObject { ["name"] = "t", ["api_key"] = "tvly-…abcd" }),
            HttpStatusCode.BadRequest, "api_key is a masked value (tvly-…abcd), not a key: send the key itself", "api_key");

        var secret = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, $"admin/llm/providers/p1/keys/{keyId}/secret");
        Assert.Equal("sk-first-key-000001", secret.GetProperty("api_key").GetString());
    }

    [Fact]
    public async Task RevealSecret_RequiresAdmin()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var provider = await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1");
        var keyId = provider.GetProperty("provider").GetProperty("api_keys")[0].GetProperty("key_id").GetString();

        var reply = await AdminApi.GetAsync(server.Http, $"admin/llm/providers/p1/keys/{keyId}/secret");

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal(JsonValueKind.Undefined, reply.Body.TryGetProperty("api_key", out var leaked) ? leaked.ValueKind : JsonValueKind.Undefined);
    }
}
