using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Security;

/// <summary>Writes on the session cookie must come from the server's own pages; reads and X-Admin-Token calls are unaffected.</summary>
public sealed class CsrfTests
{
    private const string Refused = "Cross-site request refused: a session-authenticated write must come from this server's own pages (Origin or Referer).";

    [Fact]
    public async Task SessionWrite_FromAnotherOrigin_OrWithoutOrigin_Is403_AndChangesNothing()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cookie = await LoginAsync(server);

        AdminApi.AssertError(await CreateGroupAsync(server, cookie, "evil-1", ("Origin", "http://evil.example")), HttpStatusCode.Forbidden, Refused);
        AdminApi.AssertError(await CreateGroupAsync(server, cookie, "evil-2", ("Referer", "http://evil.example/page")), HttpStatusCode.Forbidden, Refused);
        AdminApi.AssertError(await CreateGroupAsync(server, cookie, "evil-3", ("Origin", "null")), HttpStatusCode.Forbidden, Refused);
        AdminApi.AssertError(await CreateGroupAsync(server, cookie, "evil-4"), HttpStatusCode.Forbidden, Refused);
        var port = server.BaseAddress.Port;
        AdminApi.AssertError(await CreateGroupAsync(server, cookie, "evil-5", ("Origin", $"http://127.0.0.1:{port + 1}")), HttpStatusCode.Forbidden, Refused);

        var groups = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups");
        Assert.DoesNotContain("evil", groups.ToString());
    }

    [Fact]
    public async Task SessionWrite_FromTheServersOwnOrigin_OrReferer_Passes()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cookie = await LoginAsync(server);
        var origin = server.BaseAddress.GetLeftPart(UriPartial.Authority);

        Assert.Equal(HttpStatusCode.OK, (await CreateGroupAsync(server, cookie, "by-origin", ("Origin", origin))).Status);
        Assert.Equal(HttpStatusCode.OK, (await CreateGroupAsync(server, cookie, "by-referer", ("Referer", origin + "/#groups"))).Status);
    }

    [Fact]
    public async Task SessionWrite_FromThePublicBaseUrlOrACorsOrigin_Passes()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with
        {
            PublicBaseUrl = "https://keyway.example.com",
            CorsOrigins = ["https://console.example.com"],
        });
        var cookie = await LoginAsync(server);

        Assert.Equal(HttpStatusCode.OK, (await CreateGroupAsync(server, cookie, "public", ("Origin", "https://keyway.example.com"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await CreateGroupAsync(server, cookie, "cors", ("Origin", "https://console.example.com"))).Status);
        AdminApi.AssertError(await CreateGroupAsync(server, cookie, "other", ("Origin", "https://other.example.com")), HttpStatusCode.Forbidden, Refused);
    }

    [Fact]
    public async Task SessionRead_FromAnotherOrigin_AndTokenWrite_FromAnotherOrigin_AreUnaffected()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cookie = await LoginAsync(server);

        using var read = new HttpRequestMessage(HttpMethod.Get, "admin/llm/groups") { Headers = { { "Cookie", cookie }, { "Origin", "http://evil.example" } } };
        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(read)).StatusCode);
        using var tokenWrite = new HttpRequestMessage(HttpMethod.Post, "admin/llm/groups")
        {
            Headers = { { "X-Admin-Token", KeywayServer.AdminToken }, { "Origin", "http://evil.example" } },
            Content = GatewayTestBed.Json("""{"group_id":"by-token","name":"by-token"}"""),
        };
        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(tokenWrite)).StatusCode);
    }

    private static async Task<string> LoginAsync(KeywayServer server)
    {
        using var response = await server.Http.PostAsync("admin/login", GatewayTestBed.Json($$"""{"token":"{{KeywayServer.AdminToken}}"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(response.Headers.GetValues("Set-Cookie")).Split(';')[0];
    }

    private static async Task<AdminApi.Reply> CreateGroupAsync(KeywayServer server, string cookie, string groupId, params (string Name, string Value)[] headers)
    {
        using var browser = new HttpClient { BaseAddress = server.BaseAddress };
        browser.DefaultRequestHeaders.Add("Cookie", cookie);
        foreach (var (name, value) in headers)
        {
            browser.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }
        return await AdminApi.PostAsync(browser, "admin/llm/groups", new JsonObject { ["group_id"] = groupId, ["name"] = groupId });
    }
}
