using System.Text;
using Keyway.Gateway;
using Keyway.Protocols;
using Keyway.Protocols.Json;
using Keyway.Protocols.Translation;

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
    public async Task ATranslatedBody_IsSentFromItsPooledArray_UntilThePipelineIsDisposed()
    {
        var anthropic = Encoding.UTF8.GetBytes("""{"model":"alias","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""");
        var context = new TranslationContext("msg_1", 0, "alias", "upstream-m");
        var pipeline = TranslationPipeline.Create(WireFormat.AnthropicMessages, WireFormat.OpenAIChat, anthropic, context);
        var body = UpstreamBody.Leased(pipeline.UpstreamBody);
        var expected = pipeline.UpstreamBody.Memory.ToArray();

        using (var content = body.CreateContent())
        {
            Assert.Equal(expected, await content.ReadAsByteArrayAsync());
        }
        pipeline.Dispose();

        Assert.True(pipeline.UpstreamBody.Memory.IsEmpty);
        using var late = body.CreateContent();
        await Assert.ThrowsAsync<HttpRequestException>(() => late.ReadAsByteArrayAsync());
    }

    private static LeasedBytes PooledCopyOf(byte[] bytes)
    {
        var buffer = LeasedBytes.Rent(bytes.Length);
        bytes.CopyTo(buffer.Memory);
        return buffer;
    }
}
