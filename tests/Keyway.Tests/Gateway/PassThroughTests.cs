using System.Net.Http.Json;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// The typed OpenAI surfaces beyond chat, relayed to the same path on the route's OpenAI-protocol provider with only
/// <c>model</c> rewritten; bodies per https://platform.openai.com/docs/api-reference.
/// </summary>
public sealed class PassThroughTests
{
    [Theory]
    [InlineData("v1/embeddings", """{"model":"gpt-alias","input":["caf\u00e9","x"],"encoding_format":"float","dimensions":256}""")]
    [InlineData("v1/images/generations", """{"model":"gpt-alias","prompt":"a fox","n":1,"size":"1024x1024"}""")]
    [InlineData("v1/moderations", """{"model":"gpt-alias","input":"some text"}""")]
    [InlineData("v1/rerank", """{"model":"gpt-alias","query":"q","documents":["a","b"],"top_n":1}""")]
    [InlineData("v1/completions", """{"model":"gpt-alias","prompt":"Say this is a test","max_tokens":7}""")]
    [InlineData("embeddings", """{"model":"gpt-alias","input":"no /v1 prefix"}""")]
    public async Task JsonSurface_GoesToTheSamePath_WithOnlyTheModelRewritten(string path, string body)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync(path, body);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(200, (int)response.StatusCode);
        var upstream = bed.Upstream.Last;
        Assert.Equal("/v1/" + path.Replace("v1/", "", StringComparison.Ordinal), upstream.Path);
        Assert.Equal($"Bearer {AdminApi.DefaultUpstreamKey}", upstream.Headers["authorization"]);
        Assert.Equal(body.Replace("\"gpt-alias\"", $"\"{GatewayTestBed.OpenAIModel}\"", StringComparison.Ordinal), upstream.Body);
        Assert.Equal(GatewayTestBed.OpenAIModel, answer.GetProperty("received_model").GetString());
    }

    /// <summary>
    /// Only the top level is read on pass-through, the rest goes on as sent: a body nested deeper than the JSON reader's
    /// default 64 levels reaches the upstream; one deeper than the documented limit is refused, saying it is the depth.
    /// </summary>
    [Fact]
    public async Task DeeplyNestedBody_IsPassedThrough_AndOnlyOneBeyondTheLimitIsRefusedNamingTheDepth()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        static string Nested(int depth) => $$"""{"model":"gpt-alias","input":"x","extra":{{new string('[', depth)}}{{new string(']', depth)}}}""";
        bed.Upstream.Enqueue(FakeReply.Status(200, """{"object":"list","data":[],"model":"m"}"""));

        using var deep = await bed.PostAsync("v1/embeddings", Nested(200));
        using var tooDeep = await bed.PostAsync("v1/embeddings", Nested(1100));

        Assert.Equal(200, (int)deep.StatusCode);
        Assert.Equal(Nested(200).Replace("\"gpt-alias\"", $"\"{GatewayTestBed.OpenAIModel}\"", StringComparison.Ordinal), bed.Upstream.Last.Body);
        await GatewayErrorAssert.OpenAIAsync(tooDeep, 400, "Invalid JSON body: it is nested deeper than 1024 levels");
        Assert.Equal(1, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task EmbeddingsUsage_IsLogged()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Status(200, """{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":8,"total_tokens":8}}"""));

        using var response = await bed.PostAsync("v1/embeddings", """{"model":"gpt-alias","input":"hello"}""");

        Assert.Equal(200, (int)response.StatusCode);
        var row = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal("/v1/embeddings", row.GetProperty("endpoint").GetString());
        Assert.Equal(8, row.GetProperty("input_tokens").GetInt64());
        Assert.Equal(GatewayTestBed.OpenAIProvider, row.GetProperty("provider_id").GetString());
    }

    [Fact]
    public async Task StreamedLegacyCompletion_AsksForUsage_HidesTheAddedChunk_AndLogsIt()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        // https://platform.openai.com/docs/api-reference/completions/object: text chunks, then the usage-only chunk.
        const string stream =
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"Hi\",\"index\":0,\"finish_reason\":null}]}\n\n" +
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"\",\"index\":0,\"finish_reason\":\"stop\"}]}\n\n" +
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n" +
            "data: [DONE]\n\n";
        bed.Upstream.Enqueue(FakeReply.Status(200, stream, contentType: "text/event-stream"));

        using var response = await bed.PostAsync("v1/completions", """{"model":"gpt-alias","prompt":"Say hi","stream":true}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(bed.Upstream.Last.Json.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Contains("\"text\":\"Hi\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("usage", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        var row = (await bed.WaitForLogsAsync(1))[0];
        Assert.True(row.GetProperty("stream").GetBoolean());
        Assert.Equal(5, row.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2, row.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task ServerError_FailsOverToTheNextKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(500, "boom"), times: 1);

        using var response = await pool.Bed.PostAsync("v1/embeddings", """{"model":"gpt-alias","input":"x"}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task UpstreamError_IsAnsweredInTheOpenAIShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, "Invalid input", "invalid_request_error"));

        using var response = await bed.PostAsync("v1/moderations", """{"model":"gpt-alias","input":""}""");

        Assert.Equal(400, (int)response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Contains("Invalid input", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnthropicRoute_Is400_NamingThePath()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/embeddings", """{"model":"claude-alias","input":"x"}""");

        await GatewayErrorAssert.OpenAIAsync(response, 400,
            "model 'claude-alias' is routed to Anthropic-protocol provider 'fake-anthropic', which does not serve /v1/embeddings (only messages, count_tokens and models)");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task Speech_IsStreamedThrough_BeforeTheUpstreamFinished()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/audio/speech", """{"model":"gpt-alias","input":"Hello","voice":"alloy"}""");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        await using var audio = await response.Content.ReadAsStreamAsync();
        var first = new byte[FakeSpeech.ChunkLength];
        // The upstream holds its second half until released: the first half can only arrive if it was not buffered.
        await audio.ReadExactlyAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        bed.Upstream.ReleaseSpeech();
        var second = new byte[FakeSpeech.ChunkLength];
        await audio.ReadExactlyAsync(second);

        Assert.Equal(0, await audio.ReadAsync(new byte[1]));
        Assert.Equal(Enumerable.Range(0, 2 * FakeSpeech.ChunkLength).Select(FakeSpeech.ByteAt), first.Concat(second));
        Assert.Equal(GatewayTestBed.OpenAIModel, bed.Upstream.Last.Model);
    }
}
