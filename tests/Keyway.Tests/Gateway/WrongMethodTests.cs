using System.Net;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A method a data-plane path does not serve (curl's GET on /v1/chat/completions, a HEAD or a bare OPTIONS, PUT on
/// /v1/models) is a 405 naming the path's methods in <c>Allow</c>, with a body in the path's protocol; ASP.NET's routing
/// answered a bare 405 with no body. An unknown /v1 path is OpenAI's 404 for any method that is not a write, and a
/// GET endpoint answers HEAD as GET without the body.
/// </summary>
public sealed class WrongMethodTests
{
    [Theory]
    [InlineData("GET", "v1/chat/completions", "POST")]
    [InlineData("PUT", "v1/chat/completions", "POST")]
    [InlineData("OPTIONS", "v1/chat/completions", "POST")]
    [InlineData("GET", "chat/completions", "POST")]
    [InlineData("DELETE", "v1/embeddings", "POST")]
    [InlineData("GET", "v1/audio/transcriptions", "POST")]
    [InlineData("GET", "v1/generations", "POST")]
    [InlineData("GET", "v1/responses/compact", "POST")]
    [InlineData("PATCH", "v1/responses", "GET, POST")]
    [InlineData("POST", "v1/responses/resp_1", "GET, HEAD, DELETE")]
    [InlineData("POST", "v1/responses/resp_1/input_items", "GET, HEAD")]
    [InlineData("POST", "v1/models", "GET, HEAD")]
    [InlineData("DELETE", "models/gpt-alias", "GET, HEAD")]
    [InlineData("POST", "health", "GET, HEAD")]
    public async Task WrongMethod_OnAnOpenAIPath_Is405InOpenAIsShape_NamingTheAllowedMethods(string method, string path, string allow)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        await GatewayErrorAssert.OpenAIExactAsync(response, 405,
            $"Method Not Allowed ({method} /{path}): this path accepts {allow}.", "invalid_request_error", null, "method_not_allowed");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Theory]
    [InlineData("GET", "v1/messages")]
    [InlineData("PUT", "messages")]
    [InlineData("GET", "v1/messages/count_tokens")]
    [InlineData("GET", "v1/messages/evaluate_safeguards")]
    public async Task WrongMethod_OnAnAnthropicPath_Is405InAnthropicsShape(string method, string path)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal("POST", string.Join(", ", response.Content.Headers.Allow));
        await GatewayErrorAssert.AnthropicAsync(response, 405, "invalid_request_error", $"Method Not Allowed ({method} /{path}): this path accepts POST.");
    }

    /// <summary>/v1/models serves both protocols: the caller's anthropic-version chooses the shape, as for its answer.</summary>
    [Fact]
    public async Task WrongMethod_OnModels_WithAnthropicVersion_IsInAnthropicsShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/models");
        request.Headers.Add("anthropic-version", "2023-06-01");

        using var response = await bed.Client.SendAsync(request);

        await GatewayErrorAssert.AnthropicAsync(response, 405, "invalid_request_error", "Method Not Allowed (POST /v1/models): this path accepts GET, HEAD.");
    }

    [Fact]
    public async Task Head_OnAPostPath_Is405WithAllow_AndNoBody()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "v1/chat/completions"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", string.Join(", ", response.Content.Headers.Allow));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Like a 401 or an unknown path's 404, a 405 is answered before any key or model is known: no log row.</summary>
    [Fact]
    public async Task WrongMethod_IsNotLogged()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using (var wrong = await bed.Client.GetAsync("v1/chat/completions"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, wrong.StatusCode);
        }
        using (var chat = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        var logs = await bed.WaitForLogsAsync(1);
        Assert.Equal(200, Assert.Single(logs).GetProperty("status_code").GetInt32());
    }

    [Theory]
    [InlineData("OPTIONS")]
    [InlineData("TRACE")]
    public async Task UnknownPath_AnyMethodButAWrite_IsOpenAIs404(string method)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "v1/vendor/jobs/42"));

        await GatewayErrorAssert.OpenAIAsync(response, 404, $"Invalid URL ({method} /v1/vendor/jobs/42)");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task UnknownPath_Head_Is404WithoutABody()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "v1/vendor/jobs/42"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>HEAD is GET without the body: same status, type and length, as RFC 9110 §9.3.2 asks.</summary>
    [Theory]
    [InlineData("v1/models", true, HttpStatusCode.OK)]
    [InlineData("models", true, HttpStatusCode.OK)]
    [InlineData("v1/models/gpt-alias", true, HttpStatusCode.OK)]
    [InlineData("v1/models/unknown-alias", true, HttpStatusCode.NotFound)]
    [InlineData("v1/models", false, HttpStatusCode.Unauthorized)]
    [InlineData("health", false, HttpStatusCode.OK)]
    [InlineData("health/live", false, HttpStatusCode.OK)]
    [InlineData("health/ready", false, HttpStatusCode.OK)]
    [InlineData("v1/responses/resp_unknown", true, HttpStatusCode.NotFound)]
    public async Task Head_OnAGetEndpoint_IsGetWithoutTheBody(string path, bool withKey, HttpStatusCode status)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var client = withKey ? bed.Client : bed.Server.Http;

        using var get = await client.GetAsync(path);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(status, get.StatusCode);
        Assert.Equal(status, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }
}
