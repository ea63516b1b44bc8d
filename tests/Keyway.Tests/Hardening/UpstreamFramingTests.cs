using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// An upstream whose HTTP framing lies about its body, on every chat surface and protocol: a Content-Length shorter
/// than the body (the answer cut where the framing says it ends) and a Content-Encoding on a body that is not encoded.
/// </summary>
public sealed class UpstreamFramingTests
{
    private const string ResponsesProvider = "fake-responses";
    private const string ResponsesAlias = "resp-alias";

    private const string ChatAnswer = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"hello there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""";
    private const string AnthropicAnswer = """{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hello there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":2}}""";
    private const string ResponsesAnswer = """{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"m","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"hello there","annotations":[]}]}],"usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}}""";

    private const string ChatStream =
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hello there\"},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\ndata: [DONE]\n\n";
    private const string AnthropicStream =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hello there\"}}\n\n"
        + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    private const string ResponsesStream =
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n"
        + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"hello there\"}\n\n"
        + "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":" + ResponsesAnswer + "}\n\n";

    /// <summary>
    /// A whole answer cut short by a Content-Length shorter than the body: the framing says it is whole, the JSON that it
    /// is not. Nothing reached the client, so it fails over as a body that broke off does, passed through or translated.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIAlias)]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/responses", ResponsesAlias)]
    [InlineData("v1/chat/completions", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/responses", GatewayTestBed.OpenAIAlias)]
    public async Task ContentLengthShorterThanTheBody_FailsOverToTheNextKey(string path, string alias)
    {
        await using var pool = await StartAsync();
        var answer = AnswerOf(alias, stream: false);
        using var cut = new RawUpstream($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {answer.Length - 30}\r\n\r\n{answer}");
        await PoolWithFirstKeyAtAsync(pool, alias, cut);

        using var response = await pool.Bed.PostAsync(path, RequestOf(path, alias, stream: false), ("anthropic-version", "2023-06-01"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("Hello from fake upstream", body);
        Assert.Equal(1, cut.Requests);
        var health = await pool.KeyHealthAsync("a", ProviderOf(alias));
        Assert.Equal(1, health.GetProperty("consecutive_failures").GetInt32());
        Assert.Contains("ends before it is complete", health.GetProperty("last_error").GetString());
        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal([502, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>
    /// The same cut on a JSON surface beyond chat whose usage Keyway reads (embeddings, images, rerank, any other path
    /// naming a model): the usage scan finds it, and the answer fails over rather than reaching the client cut.
    /// </summary>
    [Theory]
    [InlineData("v1/embeddings", """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3]}],"model":"m","usage":{"prompt_tokens":8,"total_tokens":8}}""")]
    [InlineData("v1/images/generations", """{"created":1,"data":[{"b64_json":"aGVsbG8gdGhlcmU="}],"usage":{"input_tokens":5,"output_tokens":7,"total_tokens":12}}""")]
    [InlineData("v1/rerank", """{"results":[{"index":0,"relevance_score":0.9}],"usage":{"prompt_tokens":4,"total_tokens":4}}""")]
    [InlineData("v1/some/other/surface", """{"id":"x","answer":"hello there, and more"}""")]
    public async Task ContentLengthShorterThanTheBody_OnAJsonPassThroughSurface_FailsOverToTheNextKey(string path, string answer)
    {
        await using var pool = await StartAsync();
        using var cut = new RawUpstream($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {answer.Length - 10}\r\n\r\n{answer}");
        await PoolWithFirstKeyAtAsync(pool, GatewayTestBed.OpenAIAlias, cut);

        using var response = await pool.Bed.PostAsync(path, $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","input":"hi","prompt":"hi"}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(1, cut.Requests);
        Assert.Equal(1, pool.Upstream.RequestCount);
        var health = await pool.KeyHealthAsync("a", GatewayTestBed.OpenAIProvider);
        Assert.Contains("ends before it is complete", health.GetProperty("last_error").GetString());
        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal([502, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>With no other key the cut answer is the caller's 502, the message the chat surfaces give; a whole one of the same size is relayed.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EmbeddingsCutShortWithNoOtherKey_Is502(bool cutShort)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");
        const string Answer = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3]}],"model":"m","usage":{"prompt_tokens":8,"total_tokens":8}}""";
        var sent = cutShort ? Answer[..^10] : Answer;
        using var upstream = new RawUpstream($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {sent.Length}\r\n\r\n{Answer}");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject
        {
            ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = KeyPoolBed.Secret("a"), ["base_url"] = new Uri(upstream.BaseAddress, "v1").ToString() }),
        });

        using var response = await pool.Bed.PostAsync("v1/embeddings", $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","input":"hi"}""");
        var body = await response.Content.ReadAsStringAsync();

        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        if (cutShort)
        {
            Assert.Equal(502, (int)response.StatusCode);
            Assert.Contains($"upstream provider '{GatewayTestBed.OpenAIProvider}' answered 200 with a JSON body that ends before it is complete", body);
            Assert.Equal(502, row.GetProperty("status_code").GetInt32());
        }
        else
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(Answer, body);
            Assert.Equal(8, row.GetProperty("input_tokens").GetInt32());
        }
    }

    /// <summary>A transcription asked for as text (WebVTT here) is no JSON: it is relayed as it came, not taken for a cut answer.</summary>
    [Fact]
    public async Task TranscriptionAsText_IsRelayed_NotJudgedAsJson()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        const string Vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhello there\n";
        bed.Upstream.Enqueue(FakeReply.Status(200, Vtt, contentType: "text/vtt"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(GatewayTestBed.OpenAIAlias), "model" },
            { new StringContent("vtt"), "response_format" },
            { new ByteArrayContent(new byte[64]), "file", "speech.wav" },
        };

        using var response = await bed.Client.PostAsync("v1/audio/transcriptions", form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Vtt, await response.Content.ReadAsStringAsync());
        Assert.Equal(200, (await bed.WaitForLogsAsync(1))[0].GetProperty("status_code").GetInt32());
    }

    /// <summary>
    /// Keyway asks for no Content-Encoding, so one on a plain body is false: the answer reaches the client without it,
    /// which would otherwise fail to decode a body that is not encoded (passed through or translated, whole or streamed).
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIAlias, false, "br")]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIAlias, true, "zstd")]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias, false, "gzip")]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias, true, "br")]
    [InlineData("v1/chat/completions", GatewayTestBed.AnthropicAlias, true, "br")]
    [InlineData("v1/responses", ResponsesAlias, false, "br")]
    [InlineData("v1/responses", ResponsesAlias, true, "br")]
    [InlineData("v1/responses", GatewayTestBed.OpenAIAlias, true, "br")]
    public async Task ContentEncodingOnAPlainBody_IsNotRelayed(string path, string alias, bool stream, string encoding)
    {
        await using var pool = await StartAsync();
        var answer = AnswerOf(alias, stream);
        using var plain = new RawUpstream(
            $"HTTP/1.1 200 OK\r\nContent-Type: {(stream ? "text/event-stream" : "application/json")}\r\nContent-Encoding: {encoding}\r\nContent-Length: {answer.Length}\r\n\r\n{answer}");
        await PoolWithFirstKeyAtAsync(pool, alias, plain);

        using var response = await pool.Bed.PostAsync(path, RequestOf(path, alias, stream), ("anthropic-version", "2023-06-01"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Contains("hello there", body);
        Assert.Equal(200, (await pool.Bed.WaitForLogsAsync(1))[0].GetProperty("status_code").GetInt32());
    }

    /// <summary>
    /// An event stream whose lines end in a bare CR (the SSE format allows CRLF, LF or CR): its last event, whose blank
    /// line is a CR at the very end of the body, is still read, so the stream is whole (its message_stop or
    /// response.completed seen), not ended as broken off after its answer reached the client.
    /// </summary>
    [Theory]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/chat/completions", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/responses", ResponsesAlias)]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIAlias)]
    public async Task StreamWithBareCrLineEnds_IsWhole(string path, string alias)
    {
        await using var pool = await StartAsync();
        var (status, events) = await StreamAsync(pool, path, alias, AnswerOf(alias, stream: true).Replace('\n', '\r'));

        Assert.Equal(200, status);
        Assert.Contains("hello there", events);
        Assert.DoesNotContain("error", events);
        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.Equal(2, row.GetProperty("output_tokens").GetInt32());
    }

    /// <summary>
    /// An event stream whose last event is complete (its data a whole JSON value, or Chat's <c>[DONE]</c>) but lacks its
    /// blank line when the upstream closes cleanly: the event is read all the same, so the stream is whole, and it
    /// reaches the client framed with its blank line, passed through or translated.
    /// </summary>
    [Theory]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/chat/completions", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/responses", ResponsesAlias)]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIAlias)]
    [InlineData("v1/messages", GatewayTestBed.OpenAIAlias)]
    [InlineData("v1/responses", GatewayTestBed.OpenAIAlias)]
    public async Task StreamWhoseLastEventLacksItsBlankLine_IsWhole(string path, string alias)
    {
        await using var pool = await StartAsync();
        var (status, events) = await StreamAsync(pool, path, alias, AnswerOf(alias, stream: true)[..^1]);

        Assert.Equal(200, status);
        Assert.Contains("hello there", events);
        Assert.EndsWith("\n\n", events);
        Assert.Contains(LastEventOf(path), events.TrimEnd().Split("\n\n")[^1]);
        var row = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.Equal(2, row.GetProperty("output_tokens").GetInt32());
    }

    /// <summary>
    /// A stream whose last event breaks off inside its data (no whole JSON value) when the upstream closes: that is no
    /// complete event, so the stream stays broken off, its end an error event and its log row 502.
    /// </summary>
    [Theory]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/responses", ResponsesAlias)]
    [InlineData("v1/chat/completions", GatewayTestBed.AnthropicAlias)]
    public async Task StreamWhoseLastEventBreaksOffInItsData_IsBroken(string path, string alias)
    {
        await using var pool = await StartAsync();
        var (_, events) = await StreamAsync(pool, path, alias, AnswerOf(alias, stream: true)[..^4] + "\n");

        Assert.Contains("hello there", events);
        Assert.Contains("error", events);
        Assert.Equal(502, (await pool.Bed.WaitForLogsAsync(1))[0].GetProperty("status_code").GetInt32());
    }

    /// <summary>The alias's first key answers <paramref name="answer"/> as an event stream; the client's status and events.</summary>
    private static async Task<(int Status, string Events)> StreamAsync(KeyPoolBed pool, string path, string alias, string answer)
    {
        using var upstream = new RawUpstream($"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {answer.Length}\r\n\r\n{answer}");
        await PoolWithFirstKeyAtAsync(pool, alias, upstream);
        using var response = await pool.Bed.PostAsync(path, RequestOf(path, alias, stream: true), ("anthropic-version", "2023-06-01"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<KeyPoolBed> StartAsync()
    {
        var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await AdminApi.CreateProviderAsync(pool.Admin, "default", ResponsesProvider, new Uri(pool.Upstream.BaseAddress, "v1").ToString(), "openai-responses");
        await AdminApi.CreateRouteAsync(pool.Admin, "default", ResponsesAlias, ResponsesProvider, GatewayTestBed.OpenAIModel);
        return pool;
    }

    /// <summary>The alias's provider gets keys "a", at <paramref name="upstream"/>, and "b", at the fake upstream.</summary>
    private static Task PoolWithFirstKeyAtAsync(KeyPoolBed pool, string alias, RawUpstream upstream)
    {
        var baseUrl = alias == GatewayTestBed.AnthropicAlias ? upstream.BaseAddress : new Uri(upstream.BaseAddress, "v1");
        return pool.PatchProviderAsync(ProviderOf(alias), new JsonObject
        {
            ["routing_mode"] = "priority",
            ["api_keys"] = new JsonArray(
                new JsonObject { ["name"] = "a", ["api_key"] = KeyPoolBed.Secret("a"), ["base_url"] = baseUrl.ToString() },
                new JsonObject { ["name"] = "b", ["api_key"] = KeyPoolBed.Secret("b") }),
        });
    }

    private static string ProviderOf(string alias) => alias switch
    {
        GatewayTestBed.AnthropicAlias => GatewayTestBed.AnthropicProvider,
        ResponsesAlias => ResponsesProvider,
        _ => GatewayTestBed.OpenAIProvider,
    };

    private static string AnswerOf(string alias, bool stream) => alias switch
    {
        GatewayTestBed.AnthropicAlias => stream ? AnthropicStream : AnthropicAnswer,
        ResponsesAlias => stream ? ResponsesStream : ResponsesAnswer,
        _ => stream ? ChatStream : ChatAnswer,
    };

    /// <summary>What the last event of a whole stream in the client's protocol holds.</summary>
    private static string LastEventOf(string path) => path switch
    {
        "v1/responses" => "response.completed",
        "v1/messages" => "message_stop",
        _ => "[DONE]",
    };

    private static string RequestOf(string path, string alias, bool stream) => path switch
    {
        "v1/responses" => $$"""{"model":"{{alias}}","stream":{{(stream ? "true" : "false")}},"input":"hi","store":false}""",
        "v1/messages" => $$"""{"model":"{{alias}}","max_tokens":16,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""",
        _ => $$"""{"model":"{{alias}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""",
    };
}
