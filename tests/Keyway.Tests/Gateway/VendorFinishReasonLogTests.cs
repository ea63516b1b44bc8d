using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A GLM answer that ends with <c>finish_reason</c> <c>network_error</c> broke off: GLM's reference
/// (https://docs.bigmodel.cn/api-reference/模型-api/查询异步结果, the choice's <c>finish_reason</c>: "'network_error' 表示模型推理异常",
/// model inference failed; "'sensitive' 表示内容被安全审核接口拦截", the safety review blocked the content) documents it
/// beside stop, length and tool_calls. Translated for an Anthropic or Responses client it is an error, and the log
/// row is that of a stream the upstream broke off: 502 with the reason, and one failure against the key, never a 200.
/// </summary>
public sealed class VendorFinishReasonLogTests
{
    /// <summary>A GLM completion that broke off (the shape of https://docs.bigmodel.cn/api-reference/模型-api/对话补全).</summary>
    internal const string BrokenCompletion = """
        {"id":"20251206","created":1764979200,"model":"glm-4.6","object":"chat.completion","choices":[{"index":0,"finish_reason":"network_error","message":{"role":"assistant","content":"Part of an answer"}}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}
        """;

    /// <summary>What the client and the log are told when the broken answer was the last key's.</summary>
    internal const string BrokeOffWith200 =
        "upstream provider 'fake-openai' answered 200 with an error: The upstream's answer broke off (finish_reason \"network_error\").";

    internal const string BrokenStream = """
        data: {"id":"20251206","created":1764979200,"model":"glm-4.6","choices":[{"index":0,"delta":{"role":"assistant","content":"Part of an answer"}}]}

        data: {"id":"20251206","created":1764979200,"model":"glm-4.6","choices":[{"index":0,"finish_reason":"network_error","delta":{"role":"assistant","content":""}}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}

        data: [DONE]


        """;

    [Theory]
    [InlineData("v1/chat/completions", false)]
    [InlineData("v1/messages", false)]
    [InlineData("v1/messages", true)]
    [InlineData("v1/responses", false)]
    [InlineData("v1/responses", true)]
    public async Task NetworkErrorEnd_IsLogged502_AndCountsAgainstTheKey(string path, bool stream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(stream
            ? FakeReply.Status(200, BrokenStream, contentType: "text/event-stream")
            : FakeReply.Status(200, BrokenCompletion));

        using var response = await bed.PostAsync(path, RequestBody(path, stream), ("anthropic-version", "2023-06-01"));
        await response.Content.ReadAsStringAsync();

        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(502, log.GetProperty("status_code").GetInt32());
        Assert.Contains("network_error", log.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await ConsecutiveFailuresAsync(bed));
    }

    /// <summary>
    /// Chat to a Chat upstream is relayed as it came (GLM's own chunk, <c>[DONE]</c> and all), but the row is the same
    /// 502: the stream's observer reads every chunk's finish_reason for the log anyway.
    /// </summary>
    [Fact]
    public async Task NetworkErrorEnd_PassedThrough_IsRelayedUnchanged_AndLogged502()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Status(200, BrokenStream, contentType: "text/event-stream"));

        using var response = await bed.PostAsync("v1/chat/completions",
            $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(BrokenStream, events);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(502, log.GetProperty("status_code").GetInt32());
        Assert.Contains("network_error", log.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(12, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(1, await ConsecutiveFailuresAsync(bed));
    }

    /// <summary>
    /// A whole answer that broke off reached no client yet: it is no answer, like a 200 holding an error, so the next key
    /// answers instead, passed through (the usage scan reads the finish reason on its way) or translated. So does a whole
    /// answer to a client that asked for a stream (the upstream ignored <c>stream: true</c>): nothing of it was relayed yet.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", false)]
    [InlineData("v1/messages", false)]
    [InlineData("v1/responses", false)]
    [InlineData("v1/chat/completions", true)]
    [InlineData("v1/messages", true)]
    [InlineData("v1/responses", true)]
    public async Task NetworkErrorWholeAnswer_FailsOverToTheNextKey(string path, bool stream)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(200, BrokenCompletion));

        using var response = await pool.Bed.PostAsync(path, RequestBody(path, stream), ("anthropic-version", "2023-06-01"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(stream ? "text/event-stream" : "application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Part of an answer", body, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.Equal([502, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(1, health.GetProperty("consecutive_failures").GetInt32());
        Assert.Contains("network_error", health.GetProperty("last_error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// With no key left, a Chat client gets the gateway's 502 in its own shape, not GLM's broken answer as a 200; so does a
    /// client of any protocol that asked for a stream and got a whole answer, before its stream began (as for a 200
    /// holding an error object).
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", false)]
    [InlineData("v1/chat/completions", true)]
    [InlineData("v1/messages", true)]
    [InlineData("v1/responses", true)]
    public async Task NetworkErrorWholeAnswer_OnTheLastKey_Is502InTheCallersShape(string path, bool stream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Status(200, BrokenCompletion));

        using var response = await bed.PostAsync(path, RequestBody(path, stream), ("anthropic-version", "2023-06-01"));
        var answer = await KeyPoolBed.JsonAsync(response);

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(path == "v1/messages", answer.TryGetProperty("type", out _));
        Assert.Equal(BrokeOffWith200, answer.GetProperty("error").GetProperty("message").GetString());
        var row = Assert.Single(await bed.WaitForLogsAsync(1));
        Assert.Equal(502, row.GetProperty("status_code").GetInt32());
        Assert.Equal(BrokeOffWith200, row.GetProperty("error").GetString());
        Assert.Equal(1, await ConsecutiveFailuresAsync(bed));
    }

    private static async Task<int> ConsecutiveFailuresAsync(GatewayTestBed bed)
    {
        var health = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/health?group_id=default");
        return health.GetProperty("health").EnumerateArray()
            .Single(provider => provider.GetProperty("provider_id").GetString() == GatewayTestBed.OpenAIProvider)
            .GetProperty("keys")[0].GetProperty("consecutive_failures").GetInt32();
    }

    private static string RequestBody(string path, bool stream) => path == "v1/responses"
        ? $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","stream":{{(stream ? "true" : "false")}},"input":"hi"}"""
        : $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":16,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";
}
