using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// A route (pass-through unless a test says otherwise) whose upstream answers 200 with only an error object, as some OpenAI-compatible
/// vendors do (<c>{"error":{…}}</c>, https://platform.openai.com/docs/guides/error-codes) and as Anthropic's error shape
/// reads (<c>{"type":"error","error":{…}}</c>, https://docs.anthropic.com/en/api/errors): no answer, so it counts against
/// the key, the next key is tried, and with none left the caller gets a 502 in its own protocol with the upstream's message.
/// </summary>
public sealed class ErrorWith200PassThroughTests
{
    private const string OpenAIError = """{"error":{"message":"Insufficient account balance","type":"insufficient_quota","code":"1008"}}""";
    private const string AnthropicError = """{"type":"error","error":{"type":"overloaded_error","message":"Insufficient account balance"}}""";
    private static readonly (string, string) AnthropicVersion = ("anthropic-version", "2023-06-01");

    public static TheoryData<string, string, string, string> Surfaces => new()
    {
        { "v1/chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.OpenAIProvider, OpenAIError },
        { "v1/responses", """{"model":"gpt-alias","input":"hi"}""", GatewayTestBed.OpenAIProvider, OpenAIError },
        { "v1/messages", """{"model":"claude-alias","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.AnthropicProvider, AnthropicError },
    };

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task ErrorObjectWith200_FailsOverToTheNextKey_AndCountsAgainstTheKey(string path, string body, string providerId, string reply)
    {
        await using var pool = await StartPassThroughAsync(providerId, "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(200, reply));

        using var response = await pool.Bed.PostAsync(path, body, AnthropicVersion);
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.DoesNotContain("Insufficient account balance", answer);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a", providerId);
        Assert.Equal(1, health.GetProperty("consecutive_failures").GetInt32());
        Assert.Contains("answered 200 with an error: Insufficient account balance", health.GetProperty("last_error").GetString());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.False(row.GetProperty("translated").GetBoolean());
        Assert.Equal([502, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task ErrorObjectWith200OnEveryKey_Is502InTheCallersShape_WithTheUpstreamsMessage(string path, string body, string providerId, string reply)
    {
        await using var pool = await StartPassThroughAsync(providerId, "a");
        pool.Upstream.ReplyToAll(FakeReply.Status(200, reply));

        using var response = await pool.Bed.PostAsync(path, body, AnthropicVersion);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(path == "v1/messages", answer.TryGetProperty("type", out _));
        Assert.Contains("answered 200 with an error: Insufficient account balance", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(502, Assert.Single(await pool.Bed.WaitForLogsAsync(1)).GetProperty("status_code").GetInt32());
    }

    /// <summary>The error object behind a UTF-8 byte order mark: the mark is dropped as the body is read, so its message is the client's.</summary>
    [Fact]
    public async Task ErrorObjectWith200BehindAByteOrderMark_Is502WithTheUpstreamsMessage()
    {
        await using var pool = await StartPassThroughAsync(GatewayTestBed.OpenAIProvider, "a");
        pool.Upstream.ReplyToAll(FakeReply.Status(200, "\uFEFF" + OpenAIError));

        using var response = await pool.Bed.PostAsync("v1/chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""");
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Contains("answered 200 with an error: Insufficient account balance", answer.GetProperty("error").GetProperty("message").GetString());
    }

    /// <summary>
    /// 200 streams whose first event is the error (OpenAI-compatible vendors send <c>data: {"error":…}</c>, Anthropic an
    /// <c>event: error</c>, https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events).
    /// </summary>
    public static TheoryData<string, string, string, string> LeadingErrorStreams => new()
    {
        { "v1/chat/completions", """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.OpenAIProvider, ChatErrorEvent + "data: [DONE]\n\n" },
        { "v1/messages", """{"model":"gpt-alias","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.OpenAIProvider, ChatErrorEvent },
        { "v1/messages", """{"model":"claude-alias","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.AnthropicProvider, AnthropicErrorEvent },
        // The error after events that only open the answer: a comment (OpenRouter's "processing" keep-alive), Anthropic's
        // message_start and ping (where its overloaded_error usually comes), a Chat stream's role chunk (and Azure's
        // prompt_filter_results chunk before it), the Responses API's lifecycle events
        // (https://platform.openai.com/docs/api-reference/responses-streaming/error), passed through or translated.
        { "v1/chat/completions", """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.OpenAIProvider, ": OPENROUTER PROCESSING\n\ndata: {\"error\":{\"message\":\"Insufficient account balance\",\"type\":\"insufficient_quota\"}}\n\n" },
        { "v1/messages", """{"model":"claude-alias","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.AnthropicProvider, FakeAnthropicMessages.Opening + AnthropicErrorEvent },
        { "v1/chat/completions", """{"model":"claude-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.AnthropicProvider, FakeAnthropicMessages.Opening + AnthropicErrorEvent },
        { "v1/chat/completions", """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.OpenAIProvider, FakeOpenAIChat.Opening + ChatErrorEvent },
        { "v1/messages", """{"model":"gpt-alias","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.OpenAIProvider, FakeOpenAIChat.Opening + ChatErrorEvent },
        { "v1/responses", """{"model":"gpt-alias","stream":true,"input":"hi"}""", GatewayTestBed.OpenAIProvider, FakeOpenAIResponses.Opening + FakeOpenAIResponses.Failed("server_error") },
        { "v1/responses", """{"model":"gpt-alias","stream":true,"input":"hi"}""", GatewayTestBed.OpenAIProvider, FakeOpenAIResponses.Opening + "event: error\ndata: {\"type\":\"error\",\"code\":\"server_is_overloaded\",\"message\":\"Insufficient account balance\",\"param\":null,\"sequence_number\":2}\n\n" },
    };

    private const string ChatErrorEvent = "data: {\"error\":{\"message\":\"Insufficient account balance\",\"type\":\"insufficient_quota\"}}\n\n";

    private const string AnthropicErrorEvent = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Insufficient account balance\"}}\n\n";

    /// <summary>A Responses failure that is the request's (an invalid prompt) would be every key's: it is the answer, relayed as it came.</summary>
    [Fact]
    public async Task ResponsesFailureOfTheRequest_IsRelayed_WithoutTryingTheNextKey()
    {
        await using var pool = await StartPassThroughAsync(GatewayTestBed.OpenAIProvider, "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(200, FakeOpenAIResponses.Opening + FakeOpenAIResponses.Failed("invalid_prompt"), contentType: "text/event-stream"));

        using var response = await pool.Bed.PostAsync("v1/responses", """{"model":"gpt-alias","stream":true,"input":"hi"}""");
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(FakeOpenAIResponses.Opening + FakeOpenAIResponses.Failed("invalid_prompt"), answer);
        Assert.Equal(["a"], pool.TakeKeysSeen());
    }


    /// <summary>
    /// A stream that opens with an error has brought the client nothing yet: it fails over like a 200 body holding only an
    /// error, passed through or translated.
    /// </summary>
    [Theory]
    [MemberData(nameof(LeadingErrorStreams))]
    public async Task StreamLeadingWithAnError_FailsOverToTheNextKey(string path, string body, string providerId, string events) =>
        await AssertFailsOverFromLeadingErrorAsync(path, body, providerId, events, staysOpen: false);

    /// <summary>
    /// The upstream keeps the stream open after its leading error: the gateway stops reading it (the upstream sees the
    /// connection go) and fails over at once, with the upstream's error as the key's failure, instead of waiting for the
    /// provider's timeout. The timeout is short only so that a gateway that waits ends the attempt as a 504 and the test
    /// fails rather than hangs.
    /// </summary>
    [Theory]
    [MemberData(nameof(LeadingErrorStreams))]
    public async Task StreamLeadingWithAnErrorThenStayingOpen_FailsOverWithoutWaitingForTheTimeout(string path, string body, string providerId, string events) =>
        await AssertFailsOverFromLeadingErrorAsync(path, body, providerId, events, staysOpen: true);

    /// <summary>A stream that ended after its opening events brought the client nothing either.</summary>
    [Fact]
    public async Task StreamEndingAfterItsOpening_FailsOverToTheNextKey() =>
        await AssertFailsOverFromLeadingErrorAsync(
            "v1/messages", """{"model":"claude-alias","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", GatewayTestBed.AnthropicProvider,
            FakeAnthropicMessages.Opening, staysOpen: false, reason: "answered 200 but its stream ended before any answer");

    private static async Task AssertFailsOverFromLeadingErrorAsync(
        string path, string body, string providerId, string events, bool staysOpen, string reason = "answered 200 with an error: Insufficient account balance")
    {
        await using var pool = await StartPassThroughAsync(providerId, "a", "b");
        var leadingError = FakeReply.Status(200, events, contentType: "text/event-stream");
        if (staysOpen)
        {
            await pool.PatchProviderAsync(providerId, new JsonObject { ["timeout_seconds"] = 2 });
            leadingError = leadingError.ThenHoldOpen();
        }
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), leadingError);

        using var response = await pool.Bed.PostAsync(path, body, AnthropicVersion);
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.DoesNotContain("Insufficient account balance", answer);
        Assert.DoesNotContain("_held", answer);
        Assert.Contains(path switch { "v1/messages" => "event: message_stop", "v1/responses" => "response.completed", _ => "data: [DONE]" }, answer);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        Assert.Contains(reason, (await pool.KeyHealthAsync("a", providerId)).GetProperty("last_error").GetString());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal([502, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
        if (staysOpen)
        {
            await pool.Upstream.WaitForAbortAsync();
        }
    }

    [Fact]
    public async Task AnswerLeadingWithANullError_IsRelayedAsIs()
    {
        const string reply = """{"error":null,"id":"chatcmpl-1","object":"chat.completion","choices":[]}""";
        await using var pool = await StartPassThroughAsync(GatewayTestBed.OpenAIProvider, "a");
        pool.Upstream.ReplyToAll(FakeReply.Status(200, reply));

        using var response = await pool.ChatAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(reply, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A key pool on <paramref name="providerId"/>; the OpenAI provider also gets a native Responses endpoint, so every surface is passed through.</summary>
    private static async Task<KeyPoolBed> StartPassThroughAsync(string providerId, params string[] keyNames)
    {
        var pool = await KeyPoolBed.StartAsync("priority", keyNames);
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject
        {
            ["native_endpoints"] = new JsonObject { ["openai-responses"] = new Uri(pool.Upstream.BaseAddress, "v1").ToString() },
        });
        if (providerId != GatewayTestBed.OpenAIProvider)
        {
            await pool.SetPoolAsync(providerId, "priority", keyNames);
        }
        return pool;
    }
}
