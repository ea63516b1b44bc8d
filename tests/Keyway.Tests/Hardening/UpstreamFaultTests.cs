using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// Upstream faults the existing failure tests (Gateway/UpstreamFailureTests, FailoverTests) do not cover: a reset
/// before or during the answer, a 200 that is not JSON, a stream without its final event or one that stalls, a key
/// whose endpoint refuses connections. Each ends in a clean error in the caller's protocol (a status before the first
/// byte, the protocol's error event after it), fails over where the key-pool rules say, and makes exactly one log row.
/// </summary>
public sealed class UpstreamFaultTests
{
    private const string AnthropicOnChat = """{"model":"gpt-alias","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    private static readonly (string, string) AnthropicVersion = ("anthropic-version", "2023-06-01");

    [Fact]
    public async Task ResetBeforeHeaders_FailsOverToTheNextKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.ResetBeforeHeaders(), times: 1);

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var row = await OnlyRowAsync(pool.Bed);
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.Equal(2, row.GetProperty("attempts").GetInt32());
        Assert.Equal(502, row.GetProperty("attempt_log")[0].GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task RefusedKeyEndpoint_FailsOverToTheNextKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject
        {
            ["api_keys"] = new JsonArray(
                new JsonObject { ["name"] = "a", ["api_key"] = KeyPoolBed.Secret("a"), ["base_url"] = "http://127.0.0.1:9/v1" },
                new JsonObject { ["name"] = "b", ["api_key"] = KeyPoolBed.Secret("b") }),
        });

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["b"], pool.TakeKeysSeen());
        var row = await OnlyRowAsync(pool.Bed);
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.Equal(["a", "b"], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task ResetOnEveryKey_Is502InTheCallersProtocol()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.ReplyToAll(FakeReply.ResetBeforeHeaders());

        using var response = await bed.PostAsync("v1/messages", AnthropicOnChat.Replace("\"stream\":true", "\"stream\":false"), AnthropicVersion);

        Assert.Equal(502, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Contains("fake-openai", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(502, (await OnlyRowAsync(bed)).GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task ResetMidStream_EndsTheTranslatedStreamWithAnErrorEvent()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var reset = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Upstream.Enqueue(FakeReply.StreamThenReset(eventsBeforeReset: 2, reset.Task));

        using var response = await bed.PostAsync("v1/messages", AnthropicOnChat, AnthropicVersion);
        Assert.Equal(200, (int)response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: message_start", await reader.ReadLineAsync());
        reset.SetResult();
        var events = await reader.ReadToEndAsync();

        Assert.Contains("event: error", events);
        Assert.DoesNotContain("event: message_stop", events);
        AssertLoggedAs(502, await OnlyRowAsync(bed));
    }

    [Fact]
    public async Task InvalidJsonWith200_OnATranslatedRoute_Is502InTheCallersShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Status(200, """{"id":"chatcmpl-1","choices":[{"message":"""));

        using var response = await bed.PostAsync("v1/messages", AnthropicOnChat.Replace("\"stream\":true", "\"stream\":false"), AnthropicVersion);

        Assert.Equal(502, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal(502, (await OnlyRowAsync(bed)).GetProperty("status_code").GetInt32());
    }

    /// <summary>
    /// A 200 that is no answer fails the key and moves on, as a failure before the first byte does: a stream that
    /// closes before any event, a body that is not JSON (an HTML page from a wrong base URL), and, on a translated
    /// route, a body holding only an <c>{"error":{…}}</c> as some OpenAI-compatible vendors answer errors.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""", "", "text/event-stream", "its stream ended before any answer")]
    [InlineData("v1/messages", AnthropicOnChat, "", "text/event-stream", "its stream ended before any answer")]
    [InlineData("v1/chat/completions", KeyPoolBed.ChatBody, "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>", "text/html", "a body that is not JSON (Content-Type text/html)")]
    [InlineData("v1/messages", """{"model":"gpt-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", """{"error":{"message":"Insufficient account balance","type":"insufficient_quota"}}""", "application/json", "an error: Insufficient account balance")]
    public async Task NoAnswerWith200_FailsOverToTheNextKey_AndCountsAgainstTheKey(string path, string body, string reply, string contentType, string reason)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(200, reply, contentType: contentType));

        using var response = await pool.Bed.PostAsync(path, body, AnthropicVersion);
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel).Split(' ')[0], answer);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(1, health.GetProperty("consecutive_failures").GetInt32());
        Assert.Contains(reason, health.GetProperty("last_error").GetString());
        var row = await OnlyRowAsync(pool.Bed);
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.Equal([502, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task StreamSilentUntilTheTimeout_BeforeItsFirstEvent_FailsOverToTheNextKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject { ["timeout_seconds"] = 1 });
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.StreamThenHang(eventsBeforeHang: 0));

        using var response = await pool.ChatAsync(stream: true);
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("data: [DONE]", events);
        Assert.DoesNotContain("\"error\"", events);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        Assert.Contains("did not answer within 1 s", (await pool.KeyHealthAsync("a")).GetProperty("last_error").GetString());
        var row = await OnlyRowAsync(pool.Bed);
        Assert.Equal([504, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>
    /// A final 1xx (a 101 to a POST, from a WebSocket endpoint behind a wrong base URL) is no answer: a 502 in the caller's
    /// protocol naming it, as a redirect is, never that status relayed (Kestrel refused it, and the client waited on).
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", """{"model":"raw-alias","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("v1/chat/completions", """{"model":"raw-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("v1/messages", """{"model":"raw-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""")]
    public async Task SwitchingProtocolsAsTheAnswer_Is502InTheCallersShape(string path, string body)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var upstream = new RawUpstream("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "raw", new Uri(upstream.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "raw-alias", "raw", GatewayTestBed.OpenAIModel);

        using var response = await bed.PostAsync(path, body, AnthropicVersion).WaitAsync(TimeSpan.FromSeconds(30));
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(path == "v1/messages", answer.TryGetProperty("type", out _));
        Assert.Contains("answered 101", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(1, upstream.Requests);
        var row = await OnlyRowAsync(bed);
        Assert.Equal(502, row.GetProperty("status_code").GetInt32());
        Assert.Contains("answered 101", row.GetProperty("error").GetString());
    }

    /// <summary>
    /// An answer holding bytes that are no UTF-8 (a vendor cutting a character in two) is translated with U+FFFD in their
    /// place, as a passed-through one reaches the client: not refused whole (a 502), nor, streamed, its text dropped.
    /// <c>&lt;C3&gt;</c> in the upstream's body is the byte 0xC3 alone, a character's first byte without the rest.
    /// </summary>
    [Theory]
    [InlineData(false, "application/json", """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"caf<C3> ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""")]
    [InlineData(true, "text/event-stream", "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"caf<C3> ok\"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\ndata: [DONE]\n\n")]
    public async Task InvalidUtf8InTheAnswer_IsTranslatedWithReplacementCharacters(bool stream, string contentType, string upstreamBody)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var upstream = new RawUpstream($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nConnection: close\r\n\r\n{upstreamBody.Replace("<C3>", "\u00C3")}");
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "raw", new Uri(upstream.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "raw-alias", "raw", GatewayTestBed.OpenAIModel);

        using var response = await bed.PostAsync(
            "v1/messages", $$"""{"model":"raw-alias","max_tokens":16,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", AnthropicVersion);
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Matches("caf(\uFFFD|\\\\uFFFD) ok", answer);
        Assert.Equal(200, (await OnlyRowAsync(bed)).GetProperty("status_code").GetInt32());
    }

    /// <summary>
    /// A whole (non-stream) answer whose body breaks off (shorter than its Content-Length) or stalls after its 200 reached
    /// no client yet (the body is read whole before anything is written), so it fails over as a reset or a timeout before
    /// the headers does.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", KeyPoolBed.ChatBody)]
    [InlineData("v1/messages", """{"model":"gpt-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""")]
    public async Task WholeAnswerBrokenOffMidBody_FailsOverToTheNextKey(string path, string body)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        using var broken = new RawUpstream(BrokenOffAnswer);
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject
        {
            ["api_keys"] = new JsonArray(
                new JsonObject { ["name"] = "a", ["api_key"] = KeyPoolBed.Secret("a"), ["base_url"] = new Uri(broken.BaseAddress, "v1").ToString() },
                new JsonObject { ["name"] = "b", ["api_key"] = KeyPoolBed.Secret("b") }),
        });

        await AssertFailedOverAsync(pool, path, body, attemptStatus: 502, triedOnceEach: () => Assert.Equal(1, broken.Requests));
    }

    [Theory]
    [InlineData("v1/chat/completions", KeyPoolBed.ChatBody)]
    [InlineData("v1/messages", """{"model":"gpt-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""")]
    public async Task WholeAnswerStalledMidBody_FailsOverToTheNextKey(string path, string body)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject { ["timeout_seconds"] = 1 });
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.StreamThenHang(eventsBeforeHang: 0));

        await AssertFailedOverAsync(pool, path, body, attemptStatus: 504, triedOnceEach: () => Assert.Equal(["a", "b"], pool.TakeKeysSeen()));
    }

    [Fact]
    public async Task WholeAnswerBrokenOffMidBody_OnTheLastKey_Is502InTheCallersShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var broken = new RawUpstream(BrokenOffAnswer);
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "raw", new Uri(broken.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "raw-alias", "raw", GatewayTestBed.OpenAIModel);

        using var response = await bed.PostAsync("v1/messages", """{"model":"raw-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", AnthropicVersion);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("error", answer.GetProperty("type").GetString());
        Assert.Contains("ended the stream before it was complete", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(502, (await OnlyRowAsync(bed)).GetProperty("status_code").GetInt32());
    }

    /// <summary>A 200 whose body ends (the connection closed) long before its Content-Length.</summary>
    private const string BrokenOffAnswer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":\"chatcmpl-1\",\"object\":";

    /// <param name="triedOnceEach">Asserts the keys' tries before the log's marker request (<see cref="OnlyRowAsync"/>) adds its own.</param>
    private static async Task AssertFailedOverAsync(KeyPoolBed pool, string path, string body, int attemptStatus, Action triedOnceEach)
    {
        using var response = await pool.Bed.PostAsync(path, body, AnthropicVersion);
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel).Split(' ')[0], answer);
        triedOnceEach();
        Assert.Equal(1, (await pool.KeyHealthAsync("a")).GetProperty("consecutive_failures").GetInt32());
        var row = await OnlyRowAsync(pool.Bed);
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.Equal([attemptStatus, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>
    /// An error status whose body stalls past the provider's timeout is still that status: classified from what arrived
    /// of the body, it fails over as the same status with a whole body would, not a 500 thrown out of the request.
    /// </summary>
    [Fact]
    public async Task ErrorStatusWhoseBodyStallsPastTheTimeout_FailsOverToTheNextKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject { ["timeout_seconds"] = 1 });
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(503, """{"error":{"message":"over""").ThenHoldOpen());

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        Assert.Equal(1, (await pool.KeyHealthAsync("a")).GetProperty("consecutive_failures").GetInt32());
        var row = await OnlyRowAsync(pool.Bed);
        Assert.Equal([503, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task ErrorStatusWhoseBodyStallsPastTheTimeout_OnTheLastKey_IsThatStatusInTheCallersShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new { timeout_seconds = 1 });
        bed.Upstream.ReplyToAll(FakeReply.Status(503, """{"error":{"message":"over""").ThenHoldOpen());

        using var response = await bed.PostAsync("v1/messages", AnthropicOnChat.Replace("\"stream\":true,", ""), AnthropicVersion);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal("error", answer.GetProperty("type").GetString());
        Assert.Contains("503", answer.GetProperty("error").GetProperty("message").GetString());
        bed.Upstream.ReplyToAll(null);
        var row = await OnlyRowAsync(bed);
        Assert.Equal(503, row.GetProperty("status_code").GetInt32());
        Assert.Contains("503", row.GetProperty("error").GetString());
    }

    /// <summary>A client that leaves while an error status's body stalls: its leaving is the row, and no other key is tried.</summary>
    [Fact]
    public async Task ClientLeavesWhileAnErrorBodyStalls_IsLoggedAsLeft()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(503, """{"error":{"message":"over""").ThenHoldOpen());

        using var leave = new CancellationTokenSource();
        var call = pool.Bed.Client.PostAsync("v1/chat/completions", GatewayTestBed.Json(KeyPoolBed.ChatBody), leave.Token);
        await pool.Upstream.WaitForRequestsAsync(1);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await pool.Upstream.WaitForAbortAsync();

        Assert.Equal(["a"], pool.TakeKeysSeen());
        var row = await OnlyRowAsync(pool.Bed);
        Assert.Equal(499, row.GetProperty("status_code").GetInt32());
        Assert.StartsWith("client closed the request", row.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("v1/messages", """{"model":"claude-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", "<html>Bad gateway config</html>", "text/html")]
    [InlineData("v1/messages", AnthropicOnChat, "", "text/event-stream")]
    [InlineData("v1/responses", """{"model":"gpt-alias","input":"hi"}""", """{"error":{"message":"Insufficient account balance","code":"1008"}}""", "application/json")]
    public async Task NoAnswerWith200OnEveryKey_Is502InTheCallersShape(string path, string body, string reply, string contentType)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.ReplyToAll(FakeReply.Status(200, reply, contentType: contentType));

        using var response = await bed.PostAsync(path, body, AnthropicVersion);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(path == "v1/messages", answer.TryGetProperty("type", out _));
        Assert.Contains("answered 200", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(502, (await OnlyRowAsync(bed)).GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task StreamWithoutItsFinalEvent_EndsTheResponsesStreamWithAFailure()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.StreamThenDrop(eventsBeforeDrop: 2));

        using var response = await bed.PostAsync("v1/responses", """{"model":"gpt-alias","stream":true,"input":"hi"}""");
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("response.created", events);
        Assert.Contains("response.failed", events);
        Assert.DoesNotContain("response.completed", events);
        Assert.Equal(502, (await OnlyRowAsync(bed)).GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task StalledStream_IsEndedByTheIdleTimeout_WithAnErrorEvent()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new { timeout_seconds = 1 });
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: 2));

        using var response = await bed.PostAsync("v1/chat/completions", """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"error\"", events);
        Assert.Contains("did not answer within 1 s", events);
        await bed.Upstream.WaitForAbortAsync();
        AssertLoggedAs(504, await OnlyRowAsync(bed));
    }

    /// <summary>A stream that broke after its first byte is logged with that status, and so is its one attempt (not its headers' 200).</summary>
    private static void AssertLoggedAs(int status, JsonElement row)
    {
        Assert.Equal(status, row.GetProperty("status_code").GetInt32());
        Assert.Equal([status], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    [Theory]
    [InlineData("v1/responses", """{"model":"claude-alias","stream":true,"input":"hi"}""", "event: response.completed")]
    [InlineData("v1/messages", AnthropicOnChat, "event: message_stop")]
    [InlineData("v1/chat/completions", """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""", "data: [DONE]")]
    public async Task ClientHangingUpOnTheFinalEvent_IsLoggedAsServed(string path, string body, string finalLine)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.StreamThenLinger());

        using (var response = await bed.PostAsync(path, body, AnthropicVersion))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && line != finalLine)
            {
            }
        }
        await bed.Upstream.WaitForAbortAsync();

        var row = await OnlyRowAsync(bed);
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());
        Assert.True(row.GetProperty("input_tokens").GetInt32() > 0, row.ToString());
    }

    /// <summary>
    /// An upstream that keeps its connection open after its last event: a translated stream is whole once the translator
    /// wrote the client's final event, so the response ends there (a client waiting for the end of the body, as an SDK's
    /// non-iterating read does, would otherwise wait for the provider's timeout).
    /// </summary>
    [Theory]
    [InlineData("v1/messages", AnthropicOnChat, "event: message_stop")]
    [InlineData("v1/chat/completions", """{"model":"claude-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""", "data: [DONE]")]
    [InlineData("v1/responses", """{"model":"claude-alias","stream":true,"input":"hi"}""", "event: response.completed")]
    public async Task TranslatedStream_EndsWithItsFinalEvent_ThoughTheUpstreamLingers(string path, string body, string finalLine)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.StreamThenLinger());

        using var response = await bed.PostAsync(path, body, AnthropicVersion);
        var events = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains(finalLine + "\n", events);
        Assert.Equal(200, (await OnlyRowAsync(bed)).GetProperty("status_code").GetInt32());
    }

    /// <summary>
    /// The fault's log row, proven to be the only one: a marker request after it must bring the count to exactly two,
    /// and rows are written in order, so a duplicate of the fault's row would show up before the marker's.
    /// </summary>
    private static async Task<JsonElement> OnlyRowAsync(GatewayTestBed bed)
    {
        var first = (await bed.WaitForLogsAsync(1))[0];
        bed.Upstream.ReplyToAll(null);
        using (var logged = await bed.PostAsync("v1/chat/completions", KeyPoolBed.ChatBody))
        {
            await logged.Content.ReadAsByteArrayAsync();
        }
        var logs = await bed.WaitForLogsAsync(2);
        Assert.Equal(2, logs.Length);
        Assert.Equal(first.GetProperty("log_id").GetInt64(), logs[1].GetProperty("log_id").GetInt64());
        return first;
    }
}
