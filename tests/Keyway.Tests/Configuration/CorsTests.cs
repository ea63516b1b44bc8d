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

    /// <summary>A preflight is the CORS middleware's 204 on every path, never the 405 of a method the path does not serve.</summary>
    [Theory]
    [InlineData(ListedOrigin, true, "v1/chat/completions")]
    [InlineData("http://evil.example.test", false, "v1/chat/completions")]
    [InlineData(ListedOrigin, true, "v1/messages")]
    [InlineData(ListedOrigin, true, "v1/models")]
    [InlineData(ListedOrigin, true, "v1/vendor/jobs")]
    public async Task Preflight_IsAllowedOnlyForConfiguredOrigins(string origin, bool allowed, string path)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await SendFromAsync(origin, preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(allowed, AllowsOrigin(response, origin));
        Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    /// <summary>An OPTIONS that is no preflight (no Access-Control-Request-Method) is a method the path does not serve.</summary>
    [Fact]
    public async Task OptionsWithoutPreflightHeaders_IsTheProtocols405()
    {
        using var options = new HttpRequestMessage(HttpMethod.Options, "v1/chat/completions");

        using var response = await SendFromAsync(ListedOrigin, options);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", string.Join(", ", response.Content.Headers.Allow));
        Assert.Contains("\"method_not_allowed\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(AllowsOrigin(response, ListedOrigin));
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
