using System.Runtime.InteropServices;
using System.Text;
using Keyway.Gateway;
using Keyway.Protocols;
using Keyway.Protocols.Json;
using Keyway.Protocols.Translation;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A passed-through body goes upstream in pieces from the client's pooled array: the bytes are the rewrite's, and the
/// array stays out of the pool while a send reads it, even past the end of its request.
/// </summary>
public sealed class UpstreamBodyTests
{
    /// <summary>The request the bodies are sent for; none of these sends is an attempt of it.</summary>
    private static readonly ProxyExchange Exchange = new(new DefaultHttpContext(), ClientProtocol.OpenAIChat, 0);

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"alias","stream":true,"messages":[{"role":"user","content":"caf\u00e9"}]}""");

    [Fact]
    public async Task AnEditedBody_SendsTheRewrittenBytes_AsJsonOfItsLength()
    {
        using var client = PooledCopyOf(Body);
        var parsed = RequestBody.Parse(client.Memory);

        using var content = UpstreamBody.Edited(client, RequestBody.Edit(client.Memory, parsed, "upstream-m", injectIncludeUsage: true)).CreateContent(Exchange);
        var sent = await content.ReadAsByteArrayAsync();

        Assert.Equal(RequestBody.Rewrite(Body, RequestBody.Parse(Body), "upstream-m", injectIncludeUsage: true), sent);
        Assert.Equal(sent.Length, content.Headers.ContentLength);
        Assert.Equal("application/json", content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnEditedBody_IsNotSentOnceItsRequestIsOver()
    {
        var client = PooledCopyOf(Body);
        var edited = UpstreamBody.Edited(client, RequestBody.Edit(client.Memory, RequestBody.Parse(client.Memory), "m", injectIncludeUsage: false));

        client.Dispose();

        using var content = edited.CreateContent(Exchange);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => content.ReadAsByteArrayAsync()); // as a send would fail
        Assert.IsType<ObjectDisposedException>(refused.InnerException);
    }

    [Fact]
    public async Task ATranslatedBody_IsSentFromItsPooledArray_UntilThePipelineIsDisposed()
    {
        var anthropic = Encoding.UTF8.GetBytes("""{"model":"alias","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""");
        var context = new TranslationContext("msg_1", 0, "alias", "upstream-m");
        var pipeline = TranslationPipeline.Create(WireFormat.AnthropicMessages, WireFormat.OpenAIChat, anthropic, context);
        var body = UpstreamBody.Leased(pipeline.UpstreamBody);
        var expected = pipeline.UpstreamBody.Memory.ToArray();

        using (var content = body.CreateContent(Exchange))
        {
            Assert.Equal(expected, await content.ReadAsByteArrayAsync());
        }
        pipeline.Dispose();

        Assert.True(pipeline.UpstreamBody.Memory.IsEmpty);
        using var late = body.CreateContent(Exchange);
        await Assert.ThrowsAsync<HttpRequestException>(() => late.ReadAsByteArrayAsync());
    }

    /// <summary>
    /// The socket of a plain-HTTP upstream connection keeps its last send's buffer while the connection idles in the pool:
    /// a large body's last write is a copy, so the connection keeps none of the body alive; every byte still goes, in order.
    /// </summary>
    [Fact]
    public async Task ALargeBody_IsWrittenWhole_ItsLastWriteFromACopy()
    {
        // The model last, so a spliced piece lies in the copied tail.
        var large = Encoding.UTF8.GetBytes($$"""{"messages":[{"role":"user","content":"{{new string('x', 2 * BytePool.MaxPooledLength)}}"}],"model":"alias"}""");
        using var client = PooledCopyOf(large);
        var edited = RequestBody.Edit(client.Memory, RequestBody.Parse(client.Memory), "upstream-m", injectIncludeUsage: false);
        using var editedContent = UpstreamBody.Edited(client, edited).CreateContent(Exchange);
        using var wholeContent = UpstreamBody.Of(large).CreateContent(Exchange);

        var editedWrites = await WritesOf(editedContent);
        var wholeWrites = await WritesOf(wholeContent);

        Assert.Equal(edited.ToArray(), editedWrites.Bytes);
        Assert.NotSame(ArrayOf(client.Memory), ArrayOf(editedWrites.Last));
        Assert.Equal(large, wholeWrites.Bytes);
        Assert.NotSame(large, ArrayOf(wholeWrites.Last));
    }

    private static async Task<(byte[] Bytes, ReadOnlyMemory<byte> Last)> WritesOf(HttpContent content)
    {
        var stream = new RecordingStream();
        await content.CopyToAsync(stream);
        return (stream.ToArray(), stream.LastWrite);
    }

    private static byte[]? ArrayOf(ReadOnlyMemory<byte> memory) => MemoryMarshal.TryGetArray(memory, out var segment) ? segment.Array : null;

    /// <summary>Keeps what was written, and the memory of the last write as the caller passed it.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public ReadOnlyMemory<byte> LastWrite { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            LastWrite = buffer;
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            LastWrite = buffer.AsMemory(offset, count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }
    }

    private static LeasedBytes PooledCopyOf(byte[] bytes)
    {
        var buffer = LeasedBytes.Rent(bytes.Length);
        bytes.CopyTo(buffer.Memory);
        return buffer;
    }
}
