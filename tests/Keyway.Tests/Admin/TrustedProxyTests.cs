using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Admin;

/// <summary>
/// Behind a reverse proxy named in KEYWAY_TRUSTED_PROXIES, the client's address, scheme and host are the ones the proxy
/// forwards; from any other address the X-Forwarded-* headers are a client's claim and are ignored.
/// </summary>
public sealed class TrustedProxyTests
{
    private const string TooMany = "Too many failed admin logins. Try again later.";
    private const string Refused = "Cross-site request refused: a session-authenticated write must come from this server's own pages (Origin or Referer).";
    private static readonly IPNetwork Loopback = IPNetwork.Parse("127.0.0.1/32");
    private static readonly IPNetwork Elsewhere = IPNetwork.Parse("192.0.2.1/32");

    [Fact]
    public async Task ForwardedHostAndProto_FromATrustedProxy_AreTheServersOriginAndBaseUrl()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with { TrustedProxies = [Loopback] });
        var forwarded = ForwardedFrom("https://keyway.example.com");

        Assert.Equal("https://keyway.example.com", await AppBaseUrlAsync(server, forwarded));
        var write = await CreateGroupOnSessionAsync(server, [.. forwarded, ("Origin", "https://keyway.example.com")]);
        Assert.Equal(HttpStatusCode.OK, write.Status);
    }

    [Fact]
    public async Task ForwardedHostAndProto_FromAnUntrustedAddress_AreIgnored()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with { TrustedProxies = [Elsewhere] });
        var forged = ForwardedFrom("https://keyway.example.com");

        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), await AppBaseUrlAsync(server, forged));
        AdminApi.AssertError(await CreateGroupOnSessionAsync(server, [.. forged, ("Origin", "https://keyway.example.com")]), HttpStatusCode.Forbidden, Refused);
    }

    [Fact]
    public async Task PublicBaseUrl_WinsOverTheForwardedHost()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with
        {
            TrustedProxies = [Loopback],
            PublicBaseUrl = "https://keyway.example.com",
        });

        Assert.Equal("https://keyway.example.com", await AppBaseUrlAsync(server, ForwardedFrom("http://internal.example:8080")));
    }

    [Fact]
    public async Task LoginThrottle_BehindATrustedProxy_CountsTheForwardedClient_NotTheProxy()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with { TrustedProxies = [Loopback, IPNetwork.Parse("10.0.0.0/8")] });
        // Right to left: the last proxy (10.0.0.5, trusted) appended the client it saw; the left-most is the guesser's own claim.
        await GuessTenTimesAsync(server, _ => "198.51.100.1, 203.0.113.7, 10.0.0.5");

        AdminApi.AssertError(await GetWithTokenAsync(server, KeywayServer.AdminToken, "203.0.113.7"), (HttpStatusCode)429, TooMany);
        Assert.Equal(HttpStatusCode.OK, (await GetWithTokenAsync(server, KeywayServer.AdminToken, "203.0.113.8, 10.0.0.5")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetWithTokenAsync(server, KeywayServer.AdminToken, "198.51.100.1")).Status);
    }

    [Fact]
    public async Task LoginThrottle_FromAnUntrustedAddress_CountsTheSocket_WhateverItForwards()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with { TrustedProxies = [Elsewhere] });
        await GuessTenTimesAsync(server, attempt => $"203.0.113.{attempt}");

        AdminApi.AssertError(await GetWithTokenAsync(server, KeywayServer.AdminToken, "203.0.113.99"), (HttpStatusCode)429, TooMany);
    }

    /// <summary>Without KEYWAY_TRUSTED_PROXIES the headers are ignored (above); the operator behind a proxy is told once.</summary>
    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7;proto=https")]
    [InlineData("X-Forwarded-Proto", "https")]
    public async Task ForwardedHeaders_WithoutTrustedProxies_AreWarnedAboutOnce_NamingThePeer(string header, string value)
    {
        using var dir = new TempDirectory();
        var log = new CapturedLog();
        await using var server = await KeywayServer.StartAsync(dir.Path, replaceServices: services => services.AddSingleton<ILoggerProvider>(log));
        var token = ("X-Admin-Token", KeywayServer.AdminToken);

        Assert.Equal(HttpStatusCode.OK, (await GetGroupsAsync(server, token)).Status);
        Assert.DoesNotContain("KEYWAY_TRUSTED_PROXIES", log.Text);
        Assert.Equal(HttpStatusCode.OK, (await GetGroupsAsync(server, token, (header, value))).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetGroupsAsync(server, token, (header, value))).Status);
        await GuessTenTimesAsync(server, attempt => $"203.0.113.{attempt}");

        var warning = Assert.Single(log.Text.Split('\n'), line => line.Contains("KEYWAY_TRUSTED_PROXIES", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", warning);
        Assert.Contains("127.0.0.1", warning);
    }

    [Fact]
    public async Task ForwardedHeaders_WithTrustedProxies_AreNotWarnedAbout()
    {
        using var dir = new TempDirectory();
        var log = new CapturedLog();
        await using var server = await KeywayServer.StartAsync(
            dir.Path, options => options with { TrustedProxies = [Elsewhere] }, services => services.AddSingleton<ILoggerProvider>(log));

        Assert.Equal(HttpStatusCode.OK, (await GetWithTokenAsync(server, KeywayServer.AdminToken, "203.0.113.7")).Status);

        Assert.DoesNotContain("KEYWAY_TRUSTED_PROXIES", log.Text);
    }

    private static (string Name, string Value)[] ForwardedFrom(string publicUrl)
    {
        var url = new Uri(publicUrl);
        return [("X-Forwarded-Proto", url.Scheme), ("X-Forwarded-Host", url.Authority), ("X-Forwarded-For", "203.0.113.7")];
    }

    private static async Task GuessTenTimesAsync(KeywayServer server, Func<int, string> forwardedFor)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            using var client = Client(server, ("X-Forwarded-For", forwardedFor(attempt)));
            Assert.Equal(HttpStatusCode.Unauthorized, (await AdminApi.PostAsync(client, "admin/login", new JsonObject { ["token"] = $"guess-{attempt}" })).Status);
        }
    }

    private static Task<AdminApi.Reply> GetWithTokenAsync(KeywayServer server, string token, string forwardedFor) =>
        GetGroupsAsync(server, ("X-Admin-Token", token), ("X-Forwarded-For", forwardedFor));

    private static async Task<AdminApi.Reply> GetGroupsAsync(KeywayServer server, params (string Name, string Value)[] headers)
    {
        using var client = Client(server, headers);
        return await AdminApi.GetAsync(client, "admin/llm/groups");
    }

    private static async Task<string?> AppBaseUrlAsync(KeywayServer server, (string Name, string Value)[] headers)
    {
        using var client = Client(server, [("X-Admin-Token", KeywayServer.AdminToken), .. headers]);
        var body = await AdminApi.OkAsync(client, HttpMethod.Get, "admin/config");
        return body.GetProperty("config").GetProperty("app_base_url").GetString();
    }

    private static async Task<AdminApi.Reply> CreateGroupOnSessionAsync(KeywayServer server, (string Name, string Value)[] headers)
    {
        using var login = await server.Http.PostAsync("admin/login", GatewayTestBed.Json($$"""{"token":"{{KeywayServer.AdminToken}}"}"""));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).Split(';')[0];
        using var browser = Client(server, [("Cookie", cookie), .. headers]);
        return await AdminApi.PostAsync(browser, "admin/llm/groups", new JsonObject { ["group_id"] = "behind-proxy", ["name"] = "behind-proxy" });
    }

    private static HttpClient Client(KeywayServer server, params (string Name, string Value)[] headers)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        foreach (var (name, value) in headers)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }
        return client;
    }
}
