using System.Net.Sockets;
using System.Text;
using Keyway.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A client that stops reading an answer (a stream, a whole JSON answer, binary audio) is cut off, so it holds neither
/// the upstream connection nor the key's place.
/// </summary>
public sealed class ClientStallTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(1);

    /// <summary>About 12 MB: more than the loopback socket buffers and Kestrel's together hold.</summary>
    private const int Repeats = 60_000;

    private static readonly string ChatBody = $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","messages":[{"role":"user","content":"hi"}]}""";

    public static TheoryData<string, string, string, string> Answers => new()
    {
        { "v1/chat/completions", ChatBody.Replace("\"messages\"", "\"stream\":true,\"messages\"", StringComparison.Ordinal), LongStream(), "text/event-stream" },
        { "v1/chat/completions", ChatBody, LongAnswer(), "application/json" },
        { "v1/audio/speech", $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","input":"Hello","voice":"alloy"}""", new string('a', 100 * Repeats), "audio/mpeg" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task ClientThatNeverReads_IsEndedAfterTheStallTimeout_AndLogged499(string path, string body, string answer, string contentType)
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { Limits = options.Limits with { ClientStallTimeout = Stall } });
        bed.Upstream.Enqueue(FakeReply.Status(200, answer, contentType: contentType));

        // A real socket whose small receive window the client never drains: the answer piles up in the server's buffers.
        using var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync(bed.Server.BaseAddress.Host, bed.Server.BaseAddress.Port);
        var request = $"POST /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bed.Key}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
        await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(request));

        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(499, log.GetProperty("status_code").GetInt32());
        Assert.Equal(GatewayMessages.ClientStalled(Stall), log.GetProperty("error").GetString());
    }

    private static string LongStream()
    {
        var chunk = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
            new string('x', 100) + "\"},\"finish_reason\":null}]}\n\n";
        return new StringBuilder(chunk.Length * Repeats).Insert(0, chunk, Repeats).Append("data: [DONE]\n\n").ToString();
    }

    private static string LongAnswer() =>
        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" +
        new string('x', 100 * Repeats) + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";
}
