using System.Net.Sockets;
using System.Text;
using Keyway.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>A streaming client that stops reading is cut off, so it holds neither the upstream connection nor the key's place.</summary>
public sealed class ClientStallTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ClientThatNeverReads_IsEndedAfterTheStallTimeout_AndLogged499()
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { Limits = options.Limits with { ClientStallTimeout = Stall } });
        bed.Upstream.Enqueue(FakeReply.Status(200, LongStream(), contentType: "text/event-stream"));

        // A real socket whose small receive window the client never drains: the answer piles up in the server's buffers.
        using var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync(bed.Server.BaseAddress.Host, bed.Server.BaseAddress.Port);
        var body = $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        var request = $"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bed.Key}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
        await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(request));

        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(499, log.GetProperty("status_code").GetInt32());
        Assert.Equal(GatewayMessages.ClientStalled(Stall), log.GetProperty("error").GetString());
    }

    /// <summary>About 12 MB of Chat chunks: more than the loopback socket buffers and Kestrel's together hold.</summary>
    private static string LongStream()
    {
        var chunk = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
            new string('x', 100) + "\"},\"finish_reason\":null}]}\n\n";
        return new StringBuilder(chunk.Length * 60_000).Insert(0, chunk, 60_000).Append("data: [DONE]\n\n").ToString();
    }
}
