using System.Net.Http.Headers;
using System.Text;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// A multipart form (https://platform.openai.com/docs/api-reference/audio/createTranscription) is sent upstream while
/// the client still sends it, so its body can fail after an attempt began: the client resets or closes its connection,
/// ends its chunks without the last one, or sends a form that ends inside a part. The upstream must see a
/// body that breaks off, never a whole form with a truncated file in it; and the fault is the client's, so no key is
/// blamed or failed over.
/// </summary>
public sealed class FormCutShortTests
{
    private const string Boundary = "XX";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string FileBytes = new('a', 100 * 1024);

    /// <summary>
    /// With <c>model</c> first, the file is cut inside; with <c>model</c> last (the form can be sent again), the whole
    /// form came, but the body stops short of its declared end (Content-Length, or the last chunk).
    /// </summary>
    [Theory]
    [InlineData("reset", true)]
    [InlineData("reset", false)]
    [InlineData("close", true)]
    [InlineData("close", false)]
    [InlineData("unfinished chunks", true)]
    [InlineData("unfinished chunks", false)]
    public async Task ClientLeavingWhileItsFormIsSentUpstream_AbortsTheUpstreamBody_AndBlamesNoKey(string leaving, bool modelFirst)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await using var client = await RawConnection.OpenAsync(pool.Bed.Server.BaseAddress);
        using var deadline = new CancellationTokenSource(Patience);
        var chunked = leaving == "unfinished chunks";
        var framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: 1000000";
        await client.StartBodyAsync("/v1/audio/transcriptions", pool.Bed.Key, framing, $"multipart/form-data; boundary={Boundary}", deadline.Token);
        var form = modelFirst
            ? ModelPart() + FilePartHead() + FileBytes
            : FilePartHead() + FileBytes + "\r\n" + ModelPart() + $"--{Boundary}--\r\n";
        await client.TrySendAsync(chunked ? $"{Encoding.ASCII.GetByteCount(form):X}\r\n{form}\r\n" : form);
        await pool.Upstream.WaitForArrivalsAsync(1, deadline.Token);

        if (leaving == "reset")
        {
            client.Reset();
        }
        else
        {
            client.CloseSending();
            Assert.DoesNotContain("HTTP/1.1 ", await client.ReadUntilClosedAsync(deadline.Token), StringComparison.Ordinal);
        }

        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        await pool.Upstream.WaitForBrokenBodiesAsync(1, deadline.Token);
        Assert.Equal(0, pool.Upstream.RequestCount);
        Assert.Equal(499, row.GetProperty("status_code").GetInt32());
        Assert.Equal("client closed the connection while its request body was read", row.GetProperty("error").GetString());
        Assert.Equal(["a"], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("key").GetString()));
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("ok", health.GetProperty("state").GetString());
        Assert.Equal(0, health.GetProperty("consecutive_failures").GetInt32());
    }

    /// <summary>A whole body whose form ends inside the file is the client's 400, as when it ends before <c>model</c>.</summary>
    [Fact]
    public async Task FormEndingInsideTheFileSentUpstream_Is400_AndBlamesNoKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        using var body = new StringContent(ModelPart() + FilePartHead() + FileBytes);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");

        using var response = await pool.Bed.Client.PostAsync("v1/audio/transcriptions", body);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.StartsWith("Invalid multipart/form-data body: Unexpected end of Stream", (await KeyPoolBed.JsonAsync(response)).GetProperty("error").GetProperty("message").GetString());
        using var deadline = new CancellationTokenSource(Patience);
        await pool.Upstream.WaitForBrokenBodiesAsync(1, deadline.Token);
        Assert.Equal(0, pool.Upstream.RequestCount);
        Assert.Equal(0, (await pool.KeyHealthAsync("a")).GetProperty("consecutive_failures").GetInt32());
        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(400, row.GetProperty("status_code").GetInt32());
        Assert.Equal(["a"], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("key").GetString()));
    }

    private static string ModelPart() =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n{GatewayTestBed.OpenAIAlias}\r\n";

    private static string FilePartHead() =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\nContent-Type: audio/wav\r\n\r\n";
}
