using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

/// <summary>The <c>web_search</c> switch (<c>auto</c> | <c>off</c>) of routes and issued keys in the admin API.</summary>
public sealed class WebSearchFlagAdminTests
{
    public static TheoryData<string, string, string> Resources => new()
    {
        // resource, create path, item path prefix
        { "route", "admin/llm/groups/default/routes", "admin/llm/routes/" },
        { "key", "admin/llm/groups/default/keys", "admin/llm/keys/" },
    };

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task DefaultsToAuto_CreateWithOff_PatchBack_ListShowsIt(string resource, string createPath, string itemPath)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1");

        var defaulted = (await AdminApi.OkAsync(server.Admin, HttpMethod.Post, createPath, Body(resource, "a"))).GetProperty(resource);
        Assert.Equal("auto", defaulted.GetProperty("web_search").GetString());
        var created = (await AdminApi.OkAsync(server.Admin, HttpMethod.Post, createPath, Body(resource, "b", "off"))).GetProperty(resource);
        Assert.Equal("off", created.GetProperty("web_search").GetString());
        var id = created.GetProperty(resource == "route" ? "route_id" : "key_id").GetString()!;

        var listed = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, createPath)).GetProperty(resource + "s").EnumerateArray()
            .ToDictionary(item => item.GetProperty(resource == "route" ? "alias" : "name").GetString()!, item => item.GetProperty("web_search").GetString());
        Assert.Equal("off", listed["b"]);
        Assert.Equal("auto", listed["a"]);

        var untouched = (await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, itemPath + id, new JsonObject { ["enabled"] = true })).GetProperty(resource);
        Assert.Equal("off", untouched.GetProperty("web_search").GetString());
        var patched = (await AdminApi.OkAsync(server.Admin, HttpMethod.Patch, itemPath + id, new JsonObject { ["web_search"] = "auto" })).GetProperty(resource);
        Assert.Equal("auto", patched.GetProperty("web_search").GetString());
        Assert.Equal("auto", (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, itemPath + id)).GetProperty(resource).GetProperty("web_search").GetString());
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task InvalidValue_IsRejectedOnCreateAndPatch(string resource, string createPath, string itemPath)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1");
        var id = (await AdminApi.OkAsync(server.Admin, HttpMethod.Post, createPath, Body(resource, "a"))).GetProperty(resource)
            .GetProperty(resource == "route" ? "route_id" : "key_id").GetString()!;

        var onCreate = await AdminApi.PostAsync(server.Admin, createPath, Body(resource, "b", "on"));
        var onPatch = await AdminApi.PatchAsync(server.Admin, itemPath + id, new JsonObject { ["web_search"] = false });

        AdminApi.AssertError(onCreate, HttpStatusCode.BadRequest, "web_search must be 'auto' or 'off'", "web_search");
        AdminApi.AssertError(onPatch, HttpStatusCode.BadRequest, "web_search must be 'auto' or 'off'", "web_search");
    }

    private static JsonObject Body(string resource, string name, string? webSearch = null)
    {
        var body = resource == "route"
            ? new JsonObject { ["alias"] = name, ["provider_id"] = "p1", ["upstream_model"] = "m" }
            : new JsonObject { ["name"] = name };
        if (webSearch is not null)
        {
            body["web_search"] = webSearch;
        }
        return body;
    }
}
