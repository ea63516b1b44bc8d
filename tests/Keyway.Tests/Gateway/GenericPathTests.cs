using System.Text;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>Any other /v1/{path}: a write naming a model goes to the same path upstream; reads and model-less writes do not.</summary>
public sealed class GenericPathTests
{
    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task WriteNamingAModel_GoesToTheSamePathAndMethod(string method)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        const string body = """{"model":"gpt-alias","vendor_field":{"keep":[1,2]}}""";

        using var response = await SendAsync(bed, method, "v1/vendor/jobs/42?mode=fast", body);

        Assert.Equal(200, (int)response.StatusCode);
        var upstream = bed.Upstream.Last;
        Assert.Equal(method, upstream.Method);
        Assert.Equal("/v1/vendor/jobs/42?mode=fast", upstream.Path);
        Assert.Equal(body.Replace("gpt-alias", GatewayTestBed.OpenAIModel, StringComparison.Ordinal), upstream.Body);
        Assert.Equal("/v1/vendor/jobs/42", (await bed.WaitForLogsAsync(1))[0].GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task WriteWithoutModel_Is400NamingTheField()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await SendAsync(bed, "POST", "v1/vendor/jobs", """{"input":"x"}""");

        await GatewayErrorAssert.OpenAIAsync(response, 400, "Missing 'model': a string naming one of your route aliases is required.");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    /// <summary>
    /// A write without a body (a plain <c>DELETE /v1/files/x</c>) names no model, which is what Keyway routes by.
    /// An empty chunked body is no body either.
    /// </summary>
    [Theory]
    [InlineData("DELETE", false)]
    [InlineData("POST", false)]
    [InlineData("DELETE", true)]
    [InlineData("POST", true)]
    public async Task BodylessWrite_Is400SayingHowToNameTheModel(string method, bool emptyChunked)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), "v1/files/file-abc");
        if (emptyChunked)
        {
            request.Content = new StreamContent(Stream.Null);
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await bed.Client.SendAsync(request);

        await GatewayErrorAssert.OpenAIAsync(response, 400,
            $"{method} /v1/files/file-abc has no body: Keyway routes a request by its JSON body's 'model', so send one naming one of your route aliases, e.g. {{\"model\":\"<alias>\"}}.");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task Read_Is404InTheOpenAIShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Client.GetAsync("v1/vendor/jobs/42");

        await GatewayErrorAssert.OpenAIAsync(response, 404, "Invalid URL (GET /v1/vendor/jobs/42)");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task AnthropicRoute_Is400_EvenForItsOtherMessagesPaths()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await SendAsync(bed, "POST", "v1/messages/batches", """{"model":"claude-alias","requests":[]}""");

        await GatewayErrorAssert.OpenAIAsync(response, 400,
            "model 'claude-alias' is routed to Anthropic-protocol provider 'fake-anthropic', which does not serve /v1/messages/batches (only messages, count_tokens and models)");
    }

    private static Task<HttpResponseMessage> SendAsync(GatewayTestBed bed, string method, string path, string json) =>
        bed.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
}
