using System.Text;
using Keyway.Gateway;
using Keyway.Protocols.Json;
using Keyway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Gateway;

/// <summary>The client's body, read whole into a pooled array when its length is known, and given back once.</summary>
public sealed class RequestBodyReaderTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"caf\u00e9"}]}""");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheBodyIsReadWhole_WithOrWithoutALength(bool lengthKnown)
    {
        using var buffer = await RequestBodyReader.ReadAsync(RequestWith(Body, lengthKnown), CancellationToken.None);

        Assert.Equal(Body, buffer.Memory.ToArray());
    }

    [Fact]
    public async Task ABodyTooLargeToPool_IsReadWholeToo()
    {
        var large = Enumerable.Range(0, BytePool.MaxPooledLength + 1).Select(i => (byte)i).ToArray();

        using var buffer = await RequestBodyReader.ReadAsync(RequestWith(large, lengthKnown: true), CancellationToken.None);

        Assert.Equal(large, buffer.Memory.ToArray());
    }

    [Fact]
    public async Task AfterDispose_TheBodyIsGone_AndASecondDisposeIsHarmless()
    {
        var buffer = await RequestBodyReader.ReadAsync(RequestWith(Body, lengthKnown: true), CancellationToken.None);

        buffer.Dispose();
        buffer.Dispose();

        Assert.True(buffer.Memory.IsEmpty);
    }

    [Fact]
    public async Task ABodyShorterThanItsLength_Throws()
    {
        var request = RequestWith(Body, lengthKnown: true);
        request.ContentLength = Body.Length + 10;

        await Assert.ThrowsAsync<EndOfStreamException>(() => RequestBodyReader.ReadAsync(request, CancellationToken.None));
    }

    [Fact]
    public async Task AChunkedBody_ReachesTheUpstream_ModelRewritten()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayTestBed.Json(GatewayTestBed.OpenAIChat) };
        request.Headers.TransferEncodingChunked = true; // no Content-Length: Keyway reads to the end

        using var response = await bed.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(GatewayTestBed.OpenAIChat.Replace(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, StringComparison.Ordinal), bed.Upstream.Last.Body);
    }

    private static HttpRequest RequestWith(byte[] body, bool lengthKnown)
    {
        var request = new DefaultHttpContext().Request;
        request.Body = new MemoryStream(body);
        request.ContentLength = lengthKnown ? body.Length : null;
        return request;
    }
}
