using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>Runs alone: the memory assertion counts every allocation of the process.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>
/// Multipart surfaces (https://platform.openai.com/docs/api-reference/audio/createTranscription, …/images/createEdit):
/// the <c>model</c> field is rewritten and files stream through without being held in the gateway's memory.
/// </summary>
[Collection(nameof(AllocationCollection))]
public sealed class MultipartTests
{
    private const long LargeFile = 24L * 1024 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LargeFile_StreamsThrough_WithoutTheGatewayAllocatingItsSize(bool modelFirst)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var (_, expectedSha) = await FakeMultipart.DigestAsync(new PatternStream(LargeFile), CancellationToken.None);
        // Warm every path once so first-call JIT and pools do not count.
        using (var warm = await bed.Client.PostAsync("v1/audio/transcriptions", Form(modelFirst, 1024)))
        {
            Assert.Equal(200, (int)warm.StatusCode);
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await bed.Client.PostAsync("v1/audio/transcriptions", Form(modelFirst, LargeFile));
        // Buffering the file anywhere in the gateway would allocate at least its size; streaming costs about a fifth
        // of it here (pooled buffers, per-chunk tasks of the client, the fake and Kestrel, all in this process).
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(allocated < LargeFile / 2, $"{allocated} bytes allocated for a {LargeFile}-byte file");
        var upstream = bed.Upstream.Last.Json;
        Assert.Equal(GatewayTestBed.OpenAIModel, upstream.GetProperty("model").GetString());
        Assert.Equal("en", upstream.GetProperty("fields").GetProperty("language").GetString());
        var file = upstream.GetProperty("files").GetProperty("file");
        Assert.Equal(LargeFile, file.GetProperty("length").GetInt64());
        Assert.Equal(expectedSha, file.GetProperty("sha256").GetString());
        Assert.Equal("speech.wav", file.GetProperty("filename").GetString());
        Assert.Equal("audio/wav", file.GetProperty("content_type").GetString());
        string[] order = modelFirst ? ["model", "language", "file"] : ["language", "file", "model"];
        Assert.Equal(order, upstream.GetProperty("order").EnumerateArray().Select(name => name.GetString()));
    }

    [Fact]
    public async Task ImageEdit_IsRelayed_AndItsUsageLogged()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Client.PostAsync("images/edits", Form(modelFirst: true, 1000));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/v1/images/edits", bed.Upstream.Last.Path);
        Assert.Equal(GatewayTestBed.OpenAIModel, body.GetProperty("received_model").GetString());
        var row = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(FakeUpstream.PromptTokens, row.GetProperty("input_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CompletionTokens, row.GetProperty("output_tokens").GetInt64());
    }

    /// <summary>
    /// With <c>model</c> last the whole form is kept and the next key gets it again; with the file after <c>model</c>
    /// the file was streamed to the first key and is gone, so that key's answer is the answer.
    /// </summary>
    [Theory]
    [InlineData(false, 200, new[] { "a", "b" })]
    [InlineData(true, 500, new[] { "a" })]
    public async Task ServerError_FailsOver_OnlyWhileTheFormCanBeSentAgain(bool modelFirst, int status, string[] keysSeen)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(500, "boom"), times: 1);

        using var response = await pool.Bed.Client.PostAsync("v1/audio/transcriptions", Form(modelFirst, 5000));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(5000, pool.Upstream.Last.Json.GetProperty("files").GetProperty("file").GetProperty("length").GetInt64());
        Assert.Equal(keysSeen, pool.TakeKeysSeen());
    }

    [Fact]
    public async Task FormWithoutModel_Is400()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var form = new MultipartFormDataContent { { new StringContent("en"), "language" } };

        using var response = await bed.Client.PostAsync("v1/audio/transcriptions", form);

        await GatewayErrorAssert.OpenAIAsync(response, 400, "Missing 'model': a string naming one of your route aliases is required.");
    }

    [Fact]
    public async Task JsonBody_Is400()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/audio/transcriptions", """{"model":"gpt-alias"}""");

        await GatewayErrorAssert.OpenAIAsync(response, 400, "Body must be multipart/form-data with a boundary");
    }

    [Fact]
    public async Task AnthropicRoute_Is400()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var form = new MultipartFormDataContent { { new StringContent(GatewayTestBed.AnthropicAlias), "model" } };

        using var response = await bed.Client.PostAsync("v1/images/edits", form);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    private static MultipartFormDataContent Form(bool modelFirst, long fileLength)
    {
        var form = new MultipartFormDataContent();
        if (modelFirst)
        {
            form.Add(new StringContent(GatewayTestBed.OpenAIAlias), "model");
        }
        form.Add(new StringContent("en"), "language");
        var file = new StreamContent(new PatternStream(fileLength));
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", "speech.wav");
        if (!modelFirst)
        {
            form.Add(new StringContent(GatewayTestBed.OpenAIAlias), "model");
        }
        return form;
    }
}
