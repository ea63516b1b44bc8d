using System.Net;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Configuration;

/// <summary>
/// KEYWAY_CORS_ORIGINS: a listed origin's preflight and actual requests are allowed (with credentials), any other gets no
/// CORS headers.
/// </summary>
public sealed class CorsTests
{
    private const string ListedOrigin = "http://ui.example.test";

    [Theory]
    [InlineData(ListedOrigin, true)]
    [InlineData("http://evil.example.test", false)]
    public async Task Preflight_IsAllowedOnlyForConfiguredOrigins(string origin, bool allowed)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "v1/chat/completions");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await SendFromAsync(origin, preflight);

        Assert.Equal(allowed, AllowsOrigin(response, origin));
        Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Theory]
    [InlineData(ListedOrigin, true)]
    [InlineData("http://evil.example.test", false)]
    public async Task ActualRequest_CarriesTheHeadersOnlyForConfiguredOrigins(string origin, bool allowed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent("{}") };

        using var response = await SendFromAsync(origin, request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(allowed, AllowsOrigin(response, origin));
    }

    private static async Task<HttpResponseMessage> SendFromAsync(string origin, HttpRequestMessage request)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with { CorsOrigins = [ListedOrigin] });
        request.Headers.Add("Origin", origin);
        return await server.Http.SendAsync(request);
    }

    private static bool AllowsOrigin(HttpResponseMessage response, string origin) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin;
}
