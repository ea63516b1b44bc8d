using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Configuration;

/// <summary>KEYWAY_CORS_ORIGINS: a listed origin's preflight is allowed (with credentials), any other gets no CORS headers.</summary>
public sealed class CorsTests
{
    [Theory]
    [InlineData("http://ui.example.test", true)]
    [InlineData("http://evil.example.test", false)]
    public async Task Preflight_IsAllowedOnlyForConfiguredOrigins(string origin, bool allowed)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path, options => options with { CorsOrigins = ["http://ui.example.test"] });
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "v1/chat/completions");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await server.Http.SendAsync(preflight);

        Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);
        Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Credentials"));
    }
}
