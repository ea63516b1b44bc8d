using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

public sealed class GroupsAdminTests
{
    [Fact]
    public async Task DefaultGroup_ExistsFromFirstStart()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var body = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups");

        var group = Assert.Single(body.GetProperty("groups").EnumerateArray());
        Assert.Equal("default", group.GetProperty("group_id").GetString());
        Assert.Equal("Default Group", group.GetProperty("name").GetString());
        Assert.True(group.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Create_Get_ListWithCounts()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var created = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups",
            new JsonObject { ["group_id"] = "team-a", ["name"] = "Team A", ["note"] = "first" });
        await AdminApi.CreateProviderAsync(server.Admin, "team-a", "p1", "http://127.0.0.1:1/v1");
        await AdminApi.CreateRouteAsync(server.Admin, "team-a", "gpt", "p1", "gpt-4o");
        await AdminApi.CreateKeyAsync(server.Admin, "team-a");

        Assert.Equal("Team A", created.GetProperty("group").GetProperty("name").GetString());
        Assert.Equal("first", created.GetProperty("group").GetProperty("note").GetString());
        var fetched = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/team-a")).GetProperty("group");
        Assert.Equal("team-a", fetched.GetProperty("group_id").GetString());
        var listed = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups")).GetProperty("groups")
            .EnumerateArray().Single(g => g.GetProperty("group_id").GetString() == "team-a");
        Assert.Equal(1, listed.GetProperty("provider_count").GetInt32());
        Assert.Equal(1, listed.GetProperty("route_count").GetInt32());
        Assert.Equal(1, listed.GetProperty("key_count").GetInt32());
        Assert.Equal(0, listed.GetProperty("tool_count").GetInt32());
    }

    [Fact]
    public async Task Create_DuplicateId_Returns409()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateGroupAsync(server.Admin, "team-a");

        var reply = await AdminApi.PostAsync(server.Admin, "admin/llm/groups", new JsonObject { ["group_id"] = "team-a", ["name"] = "again" });

        AdminApi.AssertError(reply, HttpStatusCode.Conflict, "group_id 'team-a' already exists");
    }

    [Theory]
    [InlineData("""{"name":"x"}""", "group_id")]
    [InlineData("""{"group_id":"has space","name":"x"}""", "group_id")]
    [InlineData("""{"group_id":"-leading","name":"x"}""", "group_id")]
    [InlineData("""{"group_id":"ok"}""", "name")]
    [InlineData("""{"group_id":"ok","name":""}""", "name")]
    [InlineData("""{"group_id":"ok","name":"x","enabled":"yes"}""", "enabled")]
    [InlineData("""{"group_id":42,"name":"x"}""", "group_id")]
    public async Task Create_InvalidField_Returns400NamingIt(string json, string field)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.SendAsync(server.Admin, HttpMethod.Post, "admin/llm/groups", json);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(field, reply.Body.GetProperty("field").GetString());
        Assert.Contains(field, reply.Body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Patch_ChangesOnlyNamedFields()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups",
            new JsonObject { ["group_id"] = "team-a", ["name"] = "Team A", ["note"] = "keep me" });

        var patched = (await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, "admin/llm/groups/team-a", new JsonObject { ["enabled"] = false }))
            .GetProperty("group");

        Assert.False(patched.GetProperty("enabled").GetBoolean());
        Assert.Equal("Team A", patched.GetProperty("name").GetString());
        Assert.Equal("keep me", patched.GetProperty("note").GetString());
    }

    [Fact]
    public async Task UnknownGroup_Returns404OnEveryVerb()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        const string detail = "group not found: nope";

        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, "admin/llm/groups/nope"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, "admin/llm/groups/nope", new JsonObject { ["name"] = "x" }), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.DeleteAsync(server.Admin, "admin/llm/groups/nope"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/groups/nope/copy", new JsonObject { ["new_name"] = "x" }), HttpStatusCode.NotFound, detail);
        foreach (var resource in new[] { "providers", "routes", "keys", "tool-providers" })
        {
            AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, $"admin/llm/groups/nope/{resource}"), HttpStatusCode.NotFound, detail);
        }
    }

    [Fact]
    public async Task Delete_RemovesGroupAndItsContents()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateGroupAsync(server.Admin, "team-a");
        await AdminApi.CreateProviderAsync(server.Admin, "team-a", "p1", "http://127.0.0.1:1/v1");

        var deleted = await AdminApi.OkAsync(server.Admin, HttpMethod.Delete, "admin/llm/groups/team-a");

        Assert.Equal("group deleted: team-a", deleted.GetProperty("message").GetString());
        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, "admin/llm/providers/p1"), HttpStatusCode.NotFound, "provider not found: p1");
    }

    [Fact]
    public async Task DefaultGroup_CannotBeDeleted()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        AdminApi.AssertError(await AdminApi.DeleteAsync(server.Admin, "admin/llm/groups/default"), HttpStatusCode.Conflict, "default group cannot be deleted");
    }

    [Fact]
    public async Task Copy_DuplicatesProvidersRoutesTools_AndIssuesNewKeys()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateGroupAsync(server.Admin, "src");
        await AdminApi.CreateProviderAsync(server.Admin, "src", "p1", "http://127.0.0.1:1/v1", apiKey: "sk-upstream-copy-secret-1");
        var routeId = await AdminApi.CreateRouteAsync(server.Admin, "src", "gpt", "p1", "gpt-4o", "/chat/completions");
        var originalKey = await AdminApi.CreateKeyAsync(server.Admin, "src", "alice");
        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/src/tool-providers",
            new JsonObject { ["tool_id"] = "search", ["name"] = "Search", ["api_key"] = "tvly-secret" });

        var copy = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/src/copy",
            new JsonObject { ["new_name"] = "Copy", ["new_group_id"] = "dst" });

        var group = copy.GetProperty("group");
        Assert.Equal("dst", group.GetProperty("group_id").GetString());
        Assert.Equal("Copy", group.GetProperty("name").GetString());
        Assert.Equal(1, group.GetProperty("provider_count").GetInt32());
        var issued = Assert.Single(copy.GetProperty("issued_keys").EnumerateArray());
        Assert.Equal("alice", issued.GetProperty("name").GetString());
        var newKey = issued.GetProperty("plaintext").GetString()!;
        Assert.StartsWith("db_sk_", newKey);
        Assert.NotEqual(originalKey, newKey);
        Assert.Equal(newKey[..12] + "...", issued.GetProperty("key_prefix").GetString());
        Assert.Equal(newKey, Assert.Single(group.GetProperty("issued_keys").EnumerateArray()).GetProperty("plaintext").GetString());

        var provider = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/providers/dst.p1")).GetProperty("provider");
        Assert.Equal("dst", provider.GetProperty("group_id").GetString());
        Assert.Equal("http://127.0.0.1:1/v1", provider.GetProperty("base_url").GetString());
        var upstreamKeyId = provider.GetProperty("api_keys")[0].GetProperty("key_id").GetString();
        var secret = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, $"admin/llm/providers/dst.p1/keys/{upstreamKeyId}/secret");
        Assert.Equal("sk-upstream-copy-secret-1", secret.GetProperty("api_key").GetString());

        var route = Assert.Single((await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/dst/routes")).GetProperty("routes").EnumerateArray());
        Assert.NotEqual(routeId, route.GetProperty("route_id").GetString());
        Assert.Equal("gpt", route.GetProperty("alias").GetString());
        Assert.Equal("dst.p1", route.GetProperty("provider_id").GetString());
        Assert.Equal("gpt-4o", route.GetProperty("upstream_model").GetString());
        Assert.Equal("/chat/completions", route.GetProperty("upstream_path").GetString());

        var tool = Assert.Single((await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/dst/tool-providers")).GetProperty("tool_providers").EnumerateArray());
        Assert.Equal("dst.search", tool.GetProperty("tool_id").GetString());
        Assert.True(tool.GetProperty("api_key_set").GetBoolean());

        var keyId = issued.GetProperty("key_id").GetString();
        var plaintext = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, $"admin/llm/keys/{keyId}/plaintext");
        Assert.Equal(newKey, plaintext.GetProperty("plaintext").GetString());
        Assert.Equal(1, (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/src/keys")).GetProperty("keys").GetArrayLength());
    }

    [Fact]
    public async Task Copy_WithoutNewGroupId_MakesOne()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var copy = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/copy", new JsonObject { ["new_name"] = "Copy" });

        Assert.Matches("^default-copy-[0-9a-f]{6}$", copy.GetProperty("group").GetProperty("group_id").GetString());
        Assert.Equal(JsonValueKind.Array, copy.GetProperty("issued_keys").ValueKind);
    }

    [Fact]
    public async Task Copy_ToExistingGroup_Returns409_AndMissingName400()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateGroupAsync(server.Admin, "dst");

        var conflict = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/copy", new JsonObject { ["new_name"] = "x", ["new_group_id"] = "dst" });
        var missing = await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/copy", new JsonObject { ["new_group_id"] = "other" });

        AdminApi.AssertError(conflict, HttpStatusCode.Conflict, "group_id 'dst' already exists");
        AdminApi.AssertError(missing, HttpStatusCode.BadRequest, "new_name is required", "new_name");
    }
}
