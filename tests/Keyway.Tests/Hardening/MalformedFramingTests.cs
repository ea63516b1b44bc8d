using Keyway.Tests.Hardening.Fuzz;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Hardening;

/// <summary>
/// A client whose body is whole but malformed (a bad chunk, a multipart form cut short inside its body) is still there and
/// gets its 400, unlike one that left before its body was whole (<see cref="ClientResetTests"/>).
/// </summary>
public sealed class MalformedFramingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("/v1/chat/completions", "Transfer-Encoding: chunked", "zz\r\n{\"model\"\r\n", "application/json",
        "The request body could not be read: Bad chunk size data.")]
    [InlineData("/v1/audio/transcriptions", "Content-Length: 55", "--XX\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nab",
        "multipart/form-data; boundary=XX", "Invalid multipart/form-data body: Unexpected end of Stream, the content may have already been read by another component.")]
    public async Task AWholeButMalformedBody_Is400ToTheClientStillThere(string path, string framing, string body, string contentType, string message)
    {
        var errors = new CapturedErrors();
        await using var bed = await GatewayTestBed.StartAsync(replaceServices: services => services.AddSingleton<ILoggerProvider>(errors));
        await using var client = await RawConnection.OpenAsync(bed.Server.BaseAddress);
        using var deadline = new CancellationTokenSource(Patience);
        await client.StartBodyAsync(path, bed.Key, framing + "\r\nConnection: close", contentType, deadline.Token);
        await client.TrySendAsync(body);

        var answer = await client.ReadUntilClosedAsync(deadline.Token);

        Assert.True(answer.Contains("HTTP/1.1 400 Bad Request", StringComparison.Ordinal), answer + string.Join("\n", errors.Entries));
        Assert.Contains($"\"message\":\"{message}\"", answer, StringComparison.Ordinal);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(400, log.GetProperty("status_code").GetInt32());
        Assert.Equal(0, bed.Upstream.RequestCount);
        Assert.True(errors.Entries.Count == 0, string.Join("\n", errors.Entries));
    }
}
