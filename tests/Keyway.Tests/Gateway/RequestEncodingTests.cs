using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// How the bytes of a client's body are taken: a UTF-8 byte order mark before the JSON is accepted on every route and
/// never sent on, and a compressed body (Content-Encoding) is refused with a 415 naming the encoding, in the caller's
/// protocol. gpt-alias is an OpenAI Chat upstream.
/// </summary>
public sealed class RequestEncodingTests(RequestEncodingTests.Bed bed) : IClassFixture<RequestEncodingTests.Bed>
{
    private const string Gpt = GatewayTestBed.OpenAIAlias;
    private const string Messages = $$"""{"model":"{{Gpt}}","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIChat)]
    [InlineData("v1/messages", Messages)]
    public async Task ByteOrderMark_IsAccepted_AndNotSentUpstream(string path, string json)
    {
        using var response = await bed.Test.PostAsync(path, "\uFEFF" + json);

        Assert.Equal(200, (int)response.StatusCode);
        var sent = bed.Test.Upstream.Last;
        Assert.Equal(Encoding.UTF8.GetByteCount(sent.Body).ToString(), sent.Headers["Content-Length"]);
    }

    [Theory]
    [InlineData("v1/chat/completions", "gzip")]
    [InlineData("v1/chat/completions", "zstd")]
    [InlineData("v1/messages", "gzip")]
    [InlineData("v1/messages", "br")]
    public async Task CompressedBody_Is415_NamingTheEncoding(string path, string encoding)
    {
        var json = path == "v1/messages" ? Messages : GatewayTestBed.OpenAIChat;
        var before = bed.Test.Upstream.RequestCount;
        using var content = new ByteArrayContent(Gzip(json));
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add(encoding);

        using var response = await bed.Test.Client.PostAsync(path, content);

        Assert.Equal(415, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(path == "v1/messages", body.TryGetProperty("type", out _));
        Assert.Equal($"Content-Encoding '{encoding}' is not supported: send the JSON body uncompressed.",
            body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(before, bed.Test.Upstream.RequestCount);
    }

    [Fact]
    public async Task IdentityEncoding_IsReadAsItIs()
    {
        using var content = GatewayTestBed.Json(GatewayTestBed.OpenAIChat);
        content.Headers.ContentEncoding.Add("identity");

        using var response = await bed.Test.Client.PostAsync("v1/chat/completions", content);

        Assert.Equal(200, (int)response.StatusCode);
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }

    public sealed class Bed : IAsyncLifetime
    {
        public GatewayTestBed Test { get; private set; } = null!;

        public async Task InitializeAsync() => Test = await GatewayTestBed.StartAsync();

        public async Task DisposeAsync() => await Test.DisposeAsync();
    }
}
