using System.Text;
using System.Text.Json;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Protocols;

namespace Keyway.Tests.Gateway;

/// <summary>
/// Vendors' errors as their own codes and words say them (fixtures under Fixtures/vendors, each naming its vendor page):
/// a context overflow reaches each client as the overflow it compacts on, a flagged input is the caller's fault, and an
/// account's balance or arrears moves on to the next key.
/// </summary>
public sealed class VendorErrorTests
{
    private const string MessagesBody = """{"model":"gpt-alias","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""";
    private const string ResponsesBody = """{"model":"gpt-alias","input":"hi"}""";

    private static FakeReply Vendor(int status, string fixture) => FakeReply.Status(status, Encoding.UTF8.GetString(ProtocolFixtures.Json($"vendors/{fixture}")));

    public static TheoryData<string> Overflows => new()
    {
        "deepseek_context_length.json",
        "glm_1261_prompt_too_long.json",
        "kimi_token_limit.json",
        "qwen_input_length.json",
    };

    /// <summary>Claude Code compacts on Anthropic's "prompt is too long" message.</summary>
    [Theory]
    [MemberData(nameof(Overflows))]
    public async Task VendorOverflow_ReachesAnAnthropicClientAsPromptIsTooLong(string fixture)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(Vendor(400, fixture));

        using var response = await bed.PostAsync("v1/messages", MessagesBody);
        var error = (await KeyPoolBed.JsonAsync(response)).GetProperty("error");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.StartsWith("prompt is too long: upstream provider 'fake-openai' returned 400: ", error.GetProperty("message").GetString());
    }

    /// <summary>OpenAI's clients and Codex compact on the <c>context_length_exceeded</c> code.</summary>
    [Theory]
    [MemberData(nameof(Overflows))]
    public async Task VendorOverflow_ReachesOpenAIClientsAsContextLengthExceeded(string fixture)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(Vendor(400, fixture));
        bed.Upstream.Enqueue(Vendor(400, fixture));

        using var chat = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat);
        using var responses = await bed.PostAsync("v1/responses", ResponsesBody);

        foreach (var response in new[] { chat, responses })
        {
            Assert.Equal(400, (int)response.StatusCode);
            Assert.Equal("context_length_exceeded", (await KeyPoolBed.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString());
        }
    }

    /// <summary>
    /// OpenRouter's 403 for a flagged input is the request's fault: relayed at once with no other key tried and none cooled,
    /// with its metadata to an OpenAI client, and as a 400 to an Anthropic client (Claude Code reads a 403 as its login refused).
    /// </summary>
    [Fact]
    public async Task FlaggedInput_IsRelayedAtOnce_AndCoolsNoKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b", "c");
        pool.Upstream.ReplyToAll(Vendor(403, "openrouter_moderation.json"));

        using var chat = await pool.ChatAsync();
        var error = (await KeyPoolBed.JsonAsync(chat)).GetProperty("error");
        using var messages = await pool.Bed.PostAsync("v1/messages", MessagesBody);

        Assert.Equal(403, (int)chat.StatusCode);
        Assert.Equal("upstream provider 'fake-openai' returned 403: Input was flagged", error.GetProperty("message").GetString());
        Assert.Equal("violence", error.GetProperty("metadata").GetProperty("reasons")[0].GetString());
        await GatewayErrorAssert.AnthropicAsync(messages, 400, "invalid_request_error", "upstream provider 'fake-openai' returned 403: Input was flagged");
        Assert.Equal(["a", "a"], pool.TakeKeysSeen());
        Assert.Equal("ok", (await pool.KeyHealthAsync("a")).GetProperty("state").GetString());
    }

    /// <summary>An account without balance, whatever status the vendor sends it with: the next key answers and the key cools at once.</summary>
    [Theory]
    [InlineData("dashscope_arrearage.json", 400)]
    [InlineData("glm_1113_balance.json", 429)]
    [InlineData("ark_set_limit_exceeded.json", 429)]
    [InlineData("minimax_anthropic_insufficient_balance.json", 500)]
    public async Task AccountOutOfBalance_FailsOver_AndCoolsTheKeyAtOnce(string fixture, int status)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), Vendor(status, fixture));

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("cooling", health.GetProperty("state").GetString());
        Assert.Equal(status, health.GetProperty("last_status").GetInt32());
    }

    /// <summary>DashScope's Throttling.AllocationQuota is a per-minute rate, not the account's credit: a rate limit, cooled only at the threshold.</summary>
    [Fact]
    public async Task DashScopeThrottling_IsARateLimit_NotQuota()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), Vendor(429, "dashscope_throttling_allocation_quota.json"), times: 1);

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("ok", health.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("cooldown_until").ValueKind);
    }
    /// <summary>
    /// MiniMax answers some failures with HTTP 200, no choices and its own status in <c>base_resp</c>
    /// (https://platform.minimax.io/docs/api-reference/errorcode): no answer, classed by the code — the balance (1008) and a
    /// refused key (2049) cool the key at once, a rate limit (1002) and any other code (1024) count toward the threshold —
    /// and the attempt is logged with the status that failure would have had.
    /// </summary>
    [Theory]
    [InlineData("minimax_200_1008_insufficient_balance.json", 402, "cooling")]
    [InlineData("minimax_200_2049_invalid_api_key.json", 401, "cooling")]
    [InlineData("minimax_200_1002_rate_limit.json", 429, "ok")]
    [InlineData("minimax_200_1024_internal_error.json", 502, "ok")]
    public async Task MiniMaxStatusIn200_FailsOverAsItsCodeSays(string fixture, int status, string state)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), Vendor(200, fixture));

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(state, health.GetProperty("state").GetString());
        Assert.Equal(status, health.GetProperty("last_status").GetInt32());
        Assert.Contains("answered 200 with an error: ", health.GetProperty("last_error").GetString());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal([status, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>
    /// With no key left, MiniMax's failure reaches the client as its protocol's error with the failure's status, passed
    /// through or translated; a refused key is the gateway's, not the client's, so a 502 (as a relayed 401 is).
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", "minimax_200_1008_insufficient_balance.json", 402, "insufficient balance (1008)")]
    [InlineData("v1/messages", "minimax_200_1008_insufficient_balance.json", 402, "insufficient balance (1008)")]
    [InlineData("v1/messages", "minimax_200_2049_invalid_api_key.json", 502, "invalid api key (2049)")]
    [InlineData("v1/responses", "minimax_200_1002_rate_limit.json", 429, "rate limit (1002)")]
    [InlineData("v1/chat/completions", "minimax_200_1024_internal_error.json", 502, "internal error (1024)")]
    public async Task MiniMaxStatusIn200OnTheLastKey_IsTheClientsErrorWithThatStatus(string path, string fixture, int status, string message)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(Vendor(200, fixture));

        using var response = await bed.PostAsync(path, path switch
        {
            "v1/messages" => MessagesBody,
            "v1/responses" => ResponsesBody,
            _ => GatewayTestBed.OpenAIChat,
        });
        var answer = await KeyPoolBed.JsonAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(path == "v1/messages", answer.TryGetProperty("type", out _));
        Assert.Equal($"upstream provider 'fake-openai' answered 200 with an error: {message}", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(status, Assert.Single(await bed.WaitForLogsAsync(1)).GetProperty("status_code").GetInt32());
    }

    /// <summary>
    /// MiniMax reports a failure inside a stream as a chunk with no choice and its status in <c>base_resp</c>, the shape of
    /// its 200 errors (https://platform.minimax.io/docs/api-reference/errorcode); its clients check <c>base_resp</c> on every
    /// chunk of a stream (langgenius/dify api/core/model_runtime/model_providers/minimax/llm/chat_completion_pro.py), and
    /// MiniMax-M2's stream sends such chunks with <c>"choices":null</c> (RooCodeInc/Roo-Code#9100, #9105).
    /// </summary>
    private static string MiniMaxFailureChunk(long code, string message) =>
        $$$"""data: {"id":"0583a1c2","choices":null,"created":1735689600,"model":"MiniMax-M2","object":"chat.completion.chunk","usage":{"total_tokens":0},"input_sensitive":false,"output_sensitive":false,"base_resp":{"status_code":{{{code}}},"status_msg":"{{{message}}}"}}""" + "\n\n";

    private const string MiniMaxContentChunk = """
        data: {"id":"0583a1c2","choices":[{"index":0,"delta":{"role":"assistant","content":"Part of an answer"}}],"created":1735689600,"model":"MiniMax-M2","object":"chat.completion.chunk"}


        """;

    private static FakeReply MiniMaxStream(string events) => FakeReply.Status(200, events, contentType: "text/event-stream");

    private static string StreamBody(string path) => path switch
    {
        "v1/messages" => """{"model":"gpt-alias","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"hi"}]}""",
        "v1/responses" => """{"model":"gpt-alias","stream":true,"input":"hi"}""",
        _ => """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""",
    };

    /// <summary>
    /// A MiniMax stream that opens with its failure reached no client: the attempt fails as the same failure in a whole
    /// 200 does (classed by its code), passed through or translated, and the next key answers.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", 1008, "insufficient balance", 402, "cooling")]
    [InlineData("v1/messages", 1002, "rate limit", 429, "ok")]
    [InlineData("v1/responses", 1024, "internal error", 502, "ok")]
    public async Task MiniMaxStatusOpeningAStream_FailsOverAsItsCodeSays(string path, long code, string message, int status, string state)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), MiniMaxStream(MiniMaxFailureChunk(code, message)));

        using var response = await pool.Bed.PostAsync(path, StreamBody(path));
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.DoesNotContain("base_resp", events, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(state, health.GetProperty("state").GetString());
        Assert.Equal(status, health.GetProperty("last_status").GetInt32());
        Assert.Contains($"answered 200 with an error: {message} ({code})", health.GetProperty("last_error").GetString());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal([status, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>
    /// After content reached the client, MiniMax's failure ends the stream as a broken one: the client's protocol's error
    /// event instead of MiniMax's chunk, and a row naming MiniMax's status_msg with its failure's status, counted against the key.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", "data: {\"error\":")]
    [InlineData("v1/messages", "event: error")]
    [InlineData("v1/responses", "response.failed")]
    public async Task MiniMaxStatusMidStream_EndsTheStreamAsBroken(string path, string errorEvent)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(MiniMaxStream(MiniMaxContentChunk + MiniMaxFailureChunk(1008, "insufficient balance")));

        using var response = await bed.PostAsync(path, StreamBody(path));
        var events = await response.Content.ReadAsStringAsync();

        Assert.Contains("Part of an answer", events, StringComparison.Ordinal);
        Assert.Contains(errorEvent, events, StringComparison.Ordinal);
        Assert.Contains("insufficient balance (1008)", events, StringComparison.Ordinal);
        Assert.DoesNotContain("base_resp", events, StringComparison.Ordinal);
        var row = Assert.Single(await bed.WaitForLogsAsync(1));
        Assert.Equal(402, row.GetProperty("status_code").GetInt32());
        Assert.Contains("insufficient balance (1008)", row.GetProperty("error").GetString(), StringComparison.Ordinal);
        var health = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/health");
        var key = health.GetProperty("health").EnumerateArray()
            .Single(provider => provider.GetProperty("provider_id").GetString() == GatewayTestBed.OpenAIProvider).GetProperty("keys")[0];
        Assert.Equal(1, key.GetProperty("consecutive_failures").GetInt32());
    }

    /// <summary>
    /// MiniMax's failure after content fails the key as the same status opening the stream does (classed by its code),
    /// passed through or translated: the balance (1008) cools the key at once, and the next request goes to the other key.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions")]
    [InlineData("v1/messages")]
    [InlineData("v1/responses")]
    public async Task MiniMaxBalanceMidStream_CoolsTheKeyAsAtTheOpening(string path)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), MiniMaxStream(MiniMaxContentChunk + MiniMaxFailureChunk(1008, "insufficient balance")));

        var events = await MiniMaxMidStreamAsync(pool, path, 402);

        Assert.Contains("insufficient balance (1008)", events, StringComparison.Ordinal);
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("cooling", health.GetProperty("state").GetString());
        Assert.Equal(402, health.GetProperty("last_status").GetInt32());
        Assert.Contains("insufficient balance (1008)", health.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        await SecondStreamGoesToAsync(pool, path, "b");
    }

    /// <summary>
    /// MiniMax's rate limit (1002) after content is the key's rate limit, as at the opening: a 429 against the key, which
    /// cools it at the provider's failure threshold (here 1) and never quarantines it, not a broken stream's 502.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions")]
    [InlineData("v1/messages")]
    public async Task MiniMaxRateLimitMidStream_CoolsTheKeyAsARateLimit(string path)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new() { ["key_failure_threshold"] = 1 });
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), MiniMaxStream(MiniMaxContentChunk + MiniMaxFailureChunk(1002, "rate limit")));

        await MiniMaxMidStreamAsync(pool, path, 429);

        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("cooling", health.GetProperty("state").GetString());
        Assert.Equal(429, health.GetProperty("last_status").GetInt32());
        await SecondStreamGoesToAsync(pool, path, "b");
    }

    /// <summary>Streams one request that key a breaks off after content; its row and its one attempt say <paramref name="status"/>.</summary>
    private static async Task<string> MiniMaxMidStreamAsync(KeyPoolBed pool, string path, int status)
    {
        using var response = await pool.Bed.PostAsync(path, StreamBody(path));
        var events = await response.Content.ReadAsStringAsync();

        Assert.Contains("Part of an answer", events, StringComparison.Ordinal);
        Assert.DoesNotContain("base_resp", events, StringComparison.Ordinal);
        Assert.Equal(["a"], pool.TakeKeysSeen());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal(status, row.GetProperty("status_code").GetInt32());
        Assert.Equal([status], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
        return events;
    }

    private static async Task SecondStreamGoesToAsync(KeyPoolBed pool, string path, string keyName)
    {
        using var second = await pool.Bed.PostAsync(path, StreamBody(path));
        await second.Content.ReadAsStringAsync();
        Assert.Equal([keyName], pool.TakeKeysSeen());
    }
}
