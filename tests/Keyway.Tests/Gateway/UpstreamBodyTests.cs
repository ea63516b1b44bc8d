using System.Buffers;
using System.Text;
using Keyway.Gateway;
using Keyway.Protocols;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A passed-through body goes upstream in pieces from the client's pooled array: the bytes are the rewrite's, and the
/// array stays out of the pool while a send reads it, even past the end of its request.
/// </summary>
public sealed class UpstreamBodyTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"alias","stream":true,"messages":[{"role":"user","content":"caf\u00e9"}]}""");

    [Fact]
    public async Task AnEditedBody_SendsTheRewrittenBytes_AsJsonOfItsLength()
    {
        using var client = PooledCopyOf(Body);
        var parsed = RequestBody.Parse(client.Memory);

        using var content = UpstreamBody.Edited(client, RequestBody.Edit(client.Memory, parsed, "upstream-m", injectIncludeUsage: true)).CreateContent();
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

        using var content = edited.CreateContent();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => content.ReadAsByteArrayAsync()); // as a send would fail
        Assert.IsType<ObjectDisposedException>(refused.InnerException);
    }

    [Fact]
    public void AHeldArray_GoesBackToThePoolOnlyWithTheLastRelease()
    {
        var length = 100_000;
        var client = RequestBodyBuffer.ForLength(length);
        var array = ArrayOf(client);
        Assert.True(client.TryHold());

        client.Dispose();
        var whileHeld = ArrayPool<byte>.Shared.Rent(length);
        client.Release();
        var afterRelease = ArrayPool<byte>.Shared.Rent(length);

        Assert.NotSame(array, whileHeld);
        Assert.Same(array, afterRelease); // the shared pool hands this thread back what it returned last
        Assert.True(client.Memory.IsEmpty);
        Assert.False(client.TryHold());
        ArrayPool<byte>.Shared.Return(whileHeld);
        ArrayPool<byte>.Shared.Return(afterRelease);
    }

    private static RequestBodyBuffer PooledCopyOf(byte[] bytes)
    {
        var buffer = RequestBodyBuffer.ForLength(bytes.Length);
        bytes.CopyTo(buffer.Memory);
        return buffer;
    }

    private static byte[] ArrayOf(RequestBodyBuffer buffer) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(buffer.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
