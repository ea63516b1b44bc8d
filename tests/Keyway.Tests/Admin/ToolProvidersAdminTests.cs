using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

public sealed class ToolProvidersAdminTests
{
    [Fact]
    public async Task Create_List_Patch_Delete()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var created = (await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/tool-providers", new JsonObject
        {
            ["tool_id"] = "search",
            ["name"] = "Search",
            ["api_key"] = "tvly-secret-123",
            ["config"] = """{"max_results":5}""",
        })).GetProperty("tool_provider");
        Assert.Equal("search", created.GetProperty("tool_id").GetString());
        Assert.Equal("tavily", created.GetProperty("kind").GetString());
        Assert.Equal("""{"max_results":5}""", created.GetProperty("config").GetString());
        Assert.True(created.GetProperty("api_key_set").GetBoolean());
        Assert.False(created.TryGetProperty("api_key", out _));

        var list = await AdminApi.GetAsync(server.Admin, "admin/llm/groups/default/tool-providers");
        Assert.DoesNotContain("tvly-secret-123", list.Body.GetRawText());
        Assert.Single(list.Body.GetProperty("tool_providers").EnumerateArray());

        var patched = (await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, "admin/llm/tool-providers/search",
            new JsonObject { ["enabled"] = false, ["config"] = new JsonObject { ["max_results"] = 3 } })).GetProperty("tool_provider");
        Assert.False(patched.GetProperty("enabled").GetBoolean());
        Assert.Equal("Search", patched.GetProperty("name").GetString());
        Assert.Equal("""{"max_results":3}""", patched.GetProperty("config").GetString());

        var deleted = await AdminApi.OkAsync(server.Admin, HttpMethod.Delete, "admin/llm/tool-providers/search");
        Assert.Equal("tool provider deleted: search", deleted.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Create_WithoutToolId_GeneratesOne()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var created = await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/tool-providers",
            new JsonObject { ["name"] = "Search", ["api_key"] = "k" });

        Assert.Matches("^[0-9a-f]{32}$", created.GetProperty("tool_provider").GetProperty("tool_id").GetString());
    }

    [Fact]
    public async Task Errors_400_404_409()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.OkAsync(server.Admin, HttpMethod.Post, "admin/llm/groups/default/tool-providers",
            new JsonObject { ["tool_id"] = "search", ["name"] = "Search", ["api_key"] = "k" });

        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/tool-providers",
            new JsonObject { ["tool_id"] = "search", ["name"] = "Again", ["api_key"] = "k" }), HttpStatusCode.Conflict, "tool_id 'search' already exists");
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/tool-providers",
            new JsonObject { ["name"] = "S", ["api_key"] = "k", ["config"] = "[1]" }), HttpStatusCode.BadRequest, "config must be a JSON object", "config");
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/groups/default/tool-providers",
            new JsonObject { ["name"] = "S" }), HttpStatusCode.BadRequest, "api_key is required", "api_key");
        AdminApi.AssertError(await AdminApi.PostAsync(server.Admin, "admin/llm/groups/nope/tool-providers",
            new JsonObject { ["name"] = "S", ["api_key"] = "k" }), HttpStatusCode.NotFound, "group not found: nope");
        const string detail = "tool provider not found: nope";
        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, "admin/llm/tool-providers/nope"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.PatchAsync(server.Admin, "admin/llm/tool-providers/nope", new JsonObject()), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.DeleteAsync(server.Admin, "admin/llm/tool-providers/nope"), HttpStatusCode.NotFound, detail);
    }
}
