using Keyway.Tests.Hardening.Fuzz;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Hardening;

/// <summary>
/// A client whose connection is reset (a killed process, a dropped network) or closed (a FIN: it gave up on the request)
/// while Keyway reads its body is logged 499 like any client that left, with no unhandled error and no answer. It asks <c>Expect: 100-continue</c>, so the server's
/// <c>100 Continue</c> shows the body is being read before the reset. A JSON body is read whole before anything is sent,
/// so one that is a whole JSON document short of its Content-Length is not forwarded either.
/// </summary>
public sealed class ClientResetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("reset", "/v1/chat/completions", "Content-Length: 1000", "")]
    [InlineData("reset", "/v1/chat/completions", "Content-Length: 1000", "{\"model\"")]
    [InlineData("reset", "/v1/chat/completions", "Transfer-Encoding: chunked", "5\r\n{\"mod\r\n")]
    [InlineData("reset", "/v1/messages", "Content-Length: 1000", "{\"model\"")]
    [InlineData("reset", "/v1/audio/transcriptions", "Content-Length: 1000", "--XX\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n", "multipart/form-data; boundary=XX")]
    [InlineData("close", "/v1/chat/completions", "Content-Length: 1000", "{\"model\"")]
    [InlineData("reset", "/v1/chat/completions", "Content-Length: 1000", GatewayTestBed.OpenAIChat)]
    [InlineData("close", "/v1/chat/completions", "Content-Length: 1000", GatewayTestBed.OpenAIChat)]
    [InlineData("close", "/v1/chat/completions", "Transfer-Encoding: chunked", "41\r\n" + GatewayTestBed.OpenAIChat + "\r\n")]
    [InlineData("close", "/v1/embeddings", "Content-Length: 1000", "{\"model\":\"gpt-alias\",\"input\":\"hi\"}")]
    [InlineData("close", "/v1/chat/completions", "Transfer-Encoding: chunked", "5\r\n{\"mod\r\n")]
    [InlineData("close", "/v1/audio/transcriptions", "Content-Length: 1000", "--XX\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n", "multipart/form-data; boundary=XX")]
    public async Task LeavingWhileTheBodyIsRead_IsLogged499_WithoutAnUnhandledError(
        string leaving, string path, string framing, string partialBody, string contentType = "application/json")
    {
        var errors = new CapturedErrors();
        await using var bed = await GatewayTestBed.StartAsync(replaceServices: services => services.AddSingleton<ILoggerProvider>(errors));
        await using var client = await RawConnection.OpenAsync(bed.Server.BaseAddress);
        using var deadline = new CancellationTokenSource(Patience);
        await client.StartBodyAsync(path, bed.Key, framing, contentType, deadline.Token);
        await client.TrySendAsync(partialBody);

        if (leaving == "reset")
        {
            client.Reset();
        }
        else
        {
            client.CloseSending();
            Assert.DoesNotContain("HTTP/1.1 4", await client.ReadUntilClosedAsync(deadline.Token), StringComparison.Ordinal);
        }

        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(499, log.GetProperty("status_code").GetInt32());
        Assert.Equal("client closed the connection while its request body was read", log.GetProperty("error").GetString());
        Assert.Equal(0, bed.Upstream.RequestCount);
        Assert.True(errors.Entries.Count == 0, string.Join("\n", errors.Entries));
    }
}
