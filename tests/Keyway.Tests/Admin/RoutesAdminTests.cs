using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

public sealed class RoutesAdminTests
{
    [Fact]
    public async Task Create_Get_List()
    {
        await using var setup = await SetupAsync();

        var created = (await AdminApi.OkAsync(setup.Admin, HttpMethod.Post, "admin/llm/groups/default/routes", new JsonObject
        {
            ["alias"] = "gpt",
            ["provider_id"] = "p1",
            ["upstream_model"] = "gpt-4o",
            ["upstream_path"] = "/v1/chat/completions",
            ["note"] = "n",
        })).GetProperty("route");
        var routeId = created.GetProperty("route_id").GetString()!;

        Assert.Matches("^[0-9a-f]{32}$", routeId);
        Assert.True(created.GetProperty("enabled").GetBoolean());
        var fetched = (await AdminApi.OkAsync(setup.Admin, HttpMethod.Get, $"admin/llm/routes/{routeId}")).GetProperty("route");
        Assert.Equal("gpt", fetched.GetProperty("alias").GetString());
        Assert.Equal("p1", fetched.GetProperty("provider_id").GetString());
        Assert.Equal("gpt-4o", fetched.GetProperty("upstream_model").GetString());
        Assert.Equal("/v1/chat/completions", fetched.GetProperty("upstream_path").GetString());
        Assert.Equal("default", fetched.GetProperty("group_id").GetString());
        Assert.Single((await AdminApi.OkAsync(setup.Admin, HttpMethod.Get, "admin/llm/groups/default/routes")).GetProperty("routes").EnumerateArray());
    }

    [Fact]
    public async Task Create_DuplicateAlias_Returns409_ButOtherGroupsMayReuseIt()
    {
        await using var setup = await SetupAsync();
        await AdminApi.CreateRouteAsync(setup.Admin, "default", "gpt", "p1", "m");

        var reply = await AdminApi.PostAsync(setup.Admin, "admin/llm/groups/default/routes",
            new JsonObject { ["alias"] = "gpt", ["provider_id"] = "p1", ["upstream_model"] = "m2" });

        AdminApi.AssertError(reply, HttpStatusCode.Conflict, "alias 'gpt' already exists in group 'default'");
        await AdminApi.CreateRouteAsync(setup.Admin, "other", "gpt", "q1", "m");
    }

    [Fact]
    public async Task Create_WithProviderOfAnotherGroup_Returns400()
    {
        await using var setup = await SetupAsync();

        var reply = await AdminApi.PostAsync(setup.Admin, "admin/llm/groups/default/routes",
            new JsonObject { ["alias"] = "gpt", ["provider_id"] = "q1", ["upstream_model"] = "m" });

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, "provider does not belong to this group", "provider_id");
    }

    [Theory]
    [InlineData("""{"provider_id":"p1","upstream_model":"m"}""", "alias", "alias is required")]
    [InlineData("""{"alias":"a","upstream_model":"m"}""", "provider_id", "provider_id is required")]
    [InlineData("""{"alias":"a","provider_id":"p1"}""", "upstream_model", "upstream_model is required")]
    [InlineData("""{"alias":"a","provider_id":"missing","upstream_model":"m"}""", "provider_id", "provider not found: missing")]
    public async Task Create_InvalidField_Returns400(string json, string field, string detail)
    {
        await using var setup = await SetupAsync();

        var reply = await AdminApi.SendAsync(setup.Admin, HttpMethod.Post, "admin/llm/groups/default/routes", json);

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, detail, field);
    }

    [Fact]
    public async Task Patch_ChangesOnlyNamedFields_AndChecksProviderGroup()
    {
        await using var setup = await SetupAsync();
        await AdminApi.CreateProviderAsync(setup.Admin, "default", "p2", "http://127.0.0.1:1/v1");
        var routeId = await AdminApi.CreateRouteAsync(setup.Admin, "default", "gpt", "p1", "m", "/x");
        await AdminApi.CreateRouteAsync(setup.Admin, "default", "taken", "p1", "m");

        var patched = (await AdminApi.OkAsync(setup.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}",
            new JsonObject { ["provider_id"] = "p2", ["enabled"] = false })).GetProperty("route");
        Assert.Equal("p2", patched.GetProperty("provider_id").GetString());
        Assert.False(patched.GetProperty("enabled").GetBoolean());
        Assert.Equal("gpt", patched.GetProperty("alias").GetString());
        Assert.Equal("/x", patched.GetProperty("upstream_path").GetString());

        AdminApi.AssertError(await AdminApi.PatchAsync(setup.Admin, $"admin/llm/routes/{routeId}", new JsonObject { ["provider_id"] = "q1" }),
            HttpStatusCode.BadRequest, "provider does not belong to this group", "provider_id");
        AdminApi.AssertError(await AdminApi.PatchAsync(setup.Admin, $"admin/llm/routes/{routeId}", new JsonObject { ["alias"] = "taken" }),
            HttpStatusCode.Conflict, "alias 'taken' already exists in group 'default'");
        var unchanged = (await AdminApi.OkAsync(setup.Admin, HttpMethod.Get, $"admin/llm/routes/{routeId}")).GetProperty("route");
        Assert.Equal("p2", unchanged.GetProperty("provider_id").GetString());
        Assert.Equal("gpt", unchanged.GetProperty("alias").GetString());
    }

    [Fact]
    public async Task CreateOrRename_ToTheUnifiedAlias_Returns409_AndTheUnifiedAliasKeepsItsRoute()
    {
        await using var setup = await SetupAsync();
        var chatId = await AdminApi.CreateRouteAsync(setup.Admin, "default", "chat", "p1", "m");
        var otherId = await AdminApi.CreateRouteAsync(setup.Admin, "default", "other", "p1", "m");
        await AdminApi.OkAsync(setup.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new JsonObject { ["route_alias"] = "chat" });

        var created = await AdminApi.PostAsync(setup.Admin, "admin/llm/groups/default/routes",
            new JsonObject { ["alias"] = "unified-model", ["provider_id"] = "p1", ["upstream_model"] = "m2" });
        var renamed = await AdminApi.PatchAsync(setup.Admin, $"admin/llm/routes/{otherId}", new JsonObject { ["alias"] = "unified-model" });

        AdminApi.AssertError(created, HttpStatusCode.Conflict, "alias 'unified-model' already exists in group 'default'");
        AdminApi.AssertError(renamed, HttpStatusCode.Conflict, "alias 'unified-model' already exists in group 'default'");
        Assert.Equal(2, (await AdminApi.OkAsync(setup.Admin, HttpMethod.Get, "admin/llm/groups/default/routes")).GetProperty("routes").GetArrayLength());
        Assert.Equal("other", (await AdminApi.OkAsync(setup.Admin, HttpMethod.Get, $"admin/llm/routes/{otherId}")).GetProperty("route").GetProperty("alias").GetString());
        Assert.Equal(chatId, (await AdminApi.OkAsync(setup.Admin, HttpMethod.Get, "admin/llm/groups/default/unified")).GetProperty("unified").GetProperty("route_id").GetString());
        await AdminApi.CreateRouteAsync(setup.Admin, "other", "unified-model", "q1", "m");
    }

    [Fact]
    public async Task DeletingTheUnifiedModelsRoute_OrItsProvider_Returns409_UntilTheUnifiedModelPointsElsewhere()
    {
        await using var setup = await SetupAsync();
        var chatId = await AdminApi.CreateRouteAsync(setup.Admin, "default", "chat", "p1", "m");
        await AdminApi.CreateProviderAsync(setup.Admin, "default", "p2", "http://127.0.0.1:1/v1");
        var otherId = await AdminApi.CreateRouteAsync(setup.Admin, "default", "other", "p2", "m");
        await AdminApi.OkAsync(setup.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new JsonObject { ["route_alias"] = "chat" });

        var routeDelete = await AdminApi.DeleteAsync(setup.Admin, $"admin/llm/routes/{chatId}");
        var providerDelete = await AdminApi.DeleteAsync(setup.Admin, "admin/llm/providers/p1");

        var repoint = "point the unified model at another route first (keyway unified switch-model ROUTE, or PUT /admin/llm/groups/default/unified) "
            + "or unset it (DELETE /admin/llm/groups/default/unified)";
        AdminApi.AssertError(routeDelete, HttpStatusCode.Conflict,
            $"route 'chat' is the route the unified model 'unified-model' of group 'default' points at; {repoint}");
        AdminApi.AssertError(providerDelete, HttpStatusCode.Conflict,
            $"provider 'p1' serves route 'chat', the route the unified model 'unified-model' of group 'default' points at; {repoint}");
        Assert.Equal(chatId, (await AdminApi.OkAsync(setup.Admin, HttpMethod.Get, "admin/llm/groups/default/unified")).GetProperty("unified").GetProperty("route_id").GetString());

        await AdminApi.OkAsync(setup.Admin, HttpMethod.Put, "admin/llm/groups/default/unified", new JsonObject { ["route_id"] = otherId });
        await AdminApi.OkAsync(setup.Admin, HttpMethod.Delete, "admin/llm/providers/p1");
        Assert.Equal("other", (await AdminApi.OkAsync(setup.Admin, HttpMethod.Get, "admin/llm/groups/default/unified")).GetProperty("unified").GetProperty("route_alias").GetString());
    }

    [Fact]
    public async Task Delete_ThenEveryVerbReturns404()
    {
        await using var setup = await SetupAsync();
        var routeId = await AdminApi.CreateRouteAsync(setup.Admin, "default", "gpt", "p1", "m");

        var deleted = await AdminApi.OkAsync(setup.Admin, HttpMethod.Delete, $"admin/llm/routes/{routeId}");

        Assert.Equal($"route deleted: {routeId}", deleted.GetProperty("message").GetString());
        var detail = $"route not found: {routeId}";
        AdminApi.AssertError(await AdminApi.GetAsync(setup.Admin, $"admin/llm/routes/{routeId}"), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.PatchAsync(setup.Admin, $"admin/llm/routes/{routeId}", new JsonObject()), HttpStatusCode.NotFound, detail);
        AdminApi.AssertError(await AdminApi.DeleteAsync(setup.Admin, $"admin/llm/routes/{routeId}"), HttpStatusCode.NotFound, detail);
    }

    /// <summary>A server with provider p1 in "default" and q1 in group "other".</summary>
    private static async Task<Setup> SetupAsync()
    {
        var dir = new TempDirectory();
        var server = await KeywayServer.StartAsync(dir.Path);
        await AdminApi.CreateProviderAsync(server.Admin, "default", "p1", "http://127.0.0.1:1/v1");
        await AdminApi.CreateGroupAsync(server.Admin, "other");
        await AdminApi.CreateProviderAsync(server.Admin, "other", "q1", "http://127.0.0.1:1/v1");
        return new Setup(dir, server);
    }

    private sealed record Setup(TempDirectory Dir, KeywayServer Server) : IAsyncDisposable
    {
        public HttpClient Admin => Server.Admin;

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Dir.Dispose();
        }
    }
}
