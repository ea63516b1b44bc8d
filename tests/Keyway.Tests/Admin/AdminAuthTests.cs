using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Admin;

public sealed class AdminAuthTests
{
    private const string RequiredDetail = "Admin authentication required. Use X-Admin-Token header or login via /admin/login.";

    [Theory]
    [InlineData("admin/session")]
    [InlineData("admin/config")]
    [InlineData("admin/llm/groups")]
    public async Task NoToken_Returns401WithKeywayText(string path)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        AdminApi.AssertError(await AdminApi.GetAsync(server.Http, path), HttpStatusCode.Unauthorized, RequiredDetail);
    }

    [Fact]
    public async Task WrongHeaderToken_Returns401()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        using var client = ClientWithToken(server, "not-the-token");

        AdminApi.AssertError(await AdminApi.GetAsync(client, "admin/llm/groups"), HttpStatusCode.Unauthorized, RequiredDetail);
    }

    [Fact]
    public async Task HeaderToken_IsAccepted()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/session");
    }

    [Fact]
    public async Task LoginWithWrongToken_Returns401InvalidAdminToken()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.PostAsync(server.Http, "admin/login", new JsonObject { ["token"] = "wrong" });

        AdminApi.AssertError(reply, HttpStatusCode.Unauthorized, "Invalid admin token.");
        Assert.False(reply.Response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task LoginWithoutToken_Returns400NamingTheField()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        AdminApi.AssertError(await AdminApi.PostAsync(server.Http, "admin/login", new JsonObject()), HttpStatusCode.BadRequest, "token is required", "token");
    }

    [Fact]
    public async Task Login_SetsStrictHttpOnlyCookie_ThatAuthenticates()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        using var browser = NewBrowser(server);

        var login = await LoginAsync(browser);

        var cookie = Assert.Single(login.Response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("keyway_admin_session=", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=604800", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        await AdminApi.OkAsync(browser, HttpMethod.Get, "admin/session");
        await AdminApi.OkAsync(browser, HttpMethod.Get, "admin/llm/groups");
    }

    [Fact]
    public async Task TwoSessions_LogoutEndsOnlyTheCallersSession()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        using var first = NewBrowser(server);
        using var second = NewBrowser(server);
        await LoginAsync(first);
        await LoginAsync(second);

        await AdminApi.OkAsync(first, HttpMethod.Post, "admin/logout", new JsonObject());

        AdminApi.AssertError(await AdminApi.GetAsync(first, "admin/session"), HttpStatusCode.Unauthorized, RequiredDetail);
        await AdminApi.OkAsync(second, HttpMethod.Get, "admin/session");
    }

    [Fact]
    public async Task RotatingTheAdminToken_EndsEverySession()
    {
        using var dir = new TempDirectory();
        string cookie;
        await using (var before = await KeywayServer.StartAsync(dir.Path))
        {
            using var browser = NewBrowser(before);
            var login = await LoginAsync(browser);
            cookie = Assert.Single(login.Response.Headers.GetValues("Set-Cookie")).Split(';')[0];
        }
        await using var same = await KeywayServer.StartAsync(dir.Path);
        await using var rotated = await KeywayServer.StartAsync(dir.Path, options => options with { AdminToken = "rotated-admin-token" });

        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(same, cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionStatusAsync(rotated, cookie));
    }

    private static async Task<HttpStatusCode> SessionStatusAsync(KeywayServer server, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, "admin/session"));
        request.Headers.Add("Cookie", cookie);
        using var response = await server.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task ForgedSessionCookie_Returns401()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("Cookie", "keyway_admin_session=forged-value");

        AdminApi.AssertError(await AdminApi.GetAsync(client, "admin/session"), HttpStatusCode.Unauthorized, RequiredDetail);
    }

    [Fact]
    public async Task RepeatedWrongLogins_AreThrottled_EvenForTheRightTokenAfterwards()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var reply = await AdminApi.PostAsync(server.Http, "admin/login", new JsonObject { ["token"] = $"guess-{attempt}" });
            Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        }

        var blocked = await AdminApi.PostAsync(server.Http, "admin/login", new JsonObject { ["token"] = KeywayServer.AdminToken });

        AdminApi.AssertError(blocked, (HttpStatusCode)429, "Too many failed admin logins. Try again later.");
        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, "admin/llm/groups"), (HttpStatusCode)429, "Too many failed admin logins. Try again later.");
    }

    [Fact]
    public async Task RepeatedWrongHeaderTokens_AreThrottled()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        using var client = ClientWithToken(server, "guess");
        for (var attempt = 0; attempt < 10; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await AdminApi.GetAsync(client, "admin/llm/groups")).Status);
        }

        AdminApi.AssertError(await AdminApi.GetAsync(client, "admin/llm/groups"), (HttpStatusCode)429, "Too many failed admin logins. Try again later.");
    }

    [Fact]
    public async Task Config_ReturnsBaseUrlInferredFromTheRequest()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var body = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/config");

        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), body.GetProperty("config").GetProperty("app_base_url").GetString());
    }

    [Fact]
    public async Task Config_PrefersThePublicBaseUrl()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with { PublicBaseUrl = "https://keyway.example.com" });

        var body = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/config");

        Assert.Equal("https://keyway.example.com", body.GetProperty("config").GetProperty("app_base_url").GetString());
    }

    [Theory]
    [InlineData("admin/nothing-here")]
    [InlineData("admin/llm/unknown/thing")]
    public async Task UnknownAdminRoute_Returns404Json(string path)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        AdminApi.AssertError(await AdminApi.GetAsync(server.Admin, path), HttpStatusCode.NotFound, "Not Found");
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    public async Task MalformedJson_Returns400InvalidJsonBody(string body)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.SendAsync(server.Admin, HttpMethod.Post, "admin/llm/groups", body);

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, "Invalid JSON body");
    }

    [Fact]
    public async Task NonObjectJson_Returns400()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var reply = await AdminApi.SendAsync(server.Admin, HttpMethod.Post, "admin/llm/groups", "[1,2]");

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, "Body must be a JSON object");
    }

    private static HttpClient ClientWithToken(KeywayServer server, string token)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Admin-Token", token);
        return client;
    }

    private static HttpClient NewBrowser(KeywayServer server) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = server.BaseAddress };

    private static async Task<AdminApi.Reply> LoginAsync(HttpClient browser)
    {
        var reply = await AdminApi.SendAsync(browser, HttpMethod.Post, "admin/login", new JsonObject { ["token"] = KeywayServer.AdminToken });
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Body.GetProperty("ok").GetBoolean());
        return reply;
    }
}
