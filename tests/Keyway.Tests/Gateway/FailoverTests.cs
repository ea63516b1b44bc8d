using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>Retryable failures move on to the next key before anything reached the client; others are relayed at once.</summary>
public sealed class FailoverTests
{
    [Fact]
    public async Task RateLimitWithRetryAfter_CoolsTheKeyAtOnce_AndTheNextKeyAnswers()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(30));

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("cooling", health.GetProperty("state").GetString());
        Assert.Equal(429, health.GetProperty("last_status").GetInt32());
        Assert.Equal(pool.Clock.GetUtcNow().AddSeconds(30), health.GetProperty("cooldown_until").GetDateTimeOffset());
        Assert.Contains("returned 429", health.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task RateLimitNamingTheModel_CoolsOnlyThatKeyAndModel()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await AdminApi.CreateRouteAsync(pool.Admin, "default", "other-alias", GatewayTestBed.OpenAIProvider, "other-model");
        var retryAfter = new Dictionary<string, string> { ["Retry-After"] = "30" };
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIError(
            429, $"Rate limit reached for {GatewayTestBed.OpenAIModel} in organization org-x", "requests", "rate_limit_exceeded", retryAfter), times: 1);

        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(200, await pool.ChatStatusAsync("other-alias"));
        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b", "a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(JsonValueKind.Null, health.GetProperty("cooldown_until").ValueKind);
        Assert.Equal(pool.Clock.GetUtcNow().AddSeconds(30),
            health.GetProperty("model_cooldowns").GetProperty(GatewayTestBed.OpenAIModel).GetDateTimeOffset());
    }

    /// <summary>A later success on another model leaves the last failure whole: its status goes with its message and time.</summary>
    [Fact]
    public async Task LastFailure_AfterALaterSuccess_KeepsItsOwnStatus()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await AdminApi.CreateRouteAsync(pool.Admin, "default", "other-alias", GatewayTestBed.OpenAIProvider, "other-model");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIError(
            429, $"Rate limit reached for {GatewayTestBed.OpenAIModel} in organization org-x", "requests", "rate_limit_exceeded"), times: 1);
        Assert.Equal(200, await pool.ChatStatusAsync());
        var failedAt = pool.Clock.GetUtcNow();
        pool.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(200, await pool.ChatStatusAsync("other-alias"));

        Assert.Equal(["a", "b", "a"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(429, health.GetProperty("last_status").GetInt32());
        Assert.Contains("returned 429", health.GetProperty("last_error").GetString());
        Assert.Equal(failedAt, health.GetProperty("last_failure_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task ServerErrorThenSuccess_FailsOver_WithoutCoolingBelowTheThreshold()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.PlainText(500, "boom"), times: 1);

        Assert.Equal(200, await pool.ChatStatusAsync());
        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b", "a"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("ok", health.GetProperty("state").GetString());
        Assert.Equal(0, health.GetProperty("consecutive_failures").GetInt32());
    }

    [Fact]
    public async Task CallersOwnMistake_IsRelayedAtOnce_WithoutTryingAnotherKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIError(400, "bad messages", "invalid_request_error"));

        Assert.Equal(400, await pool.ChatStatusAsync());

        Assert.Equal(["a"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task RetriesStopAtMaxRetries()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b", "c", "d");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new() { ["max_retries"] = 1 });
        pool.Upstream.ReplyToAll(FakeReply.PlainText(503, "overloaded"));

        Assert.Equal(503, await pool.ChatStatusAsync());

        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
    }

    [Fact]
    public async Task RequestLog_RecordsEachAttemptsKeyAndStatus()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(5));

        Assert.Equal(200, await pool.ChatStatusAsync());

        var log = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(2, log.GetProperty("attempts").GetInt32());
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        var attempts = log.GetProperty("attempt_log").EnumerateArray()
            .Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("key").GetString(), a.GetProperty("status").GetInt32()))
            .ToArray();
        Assert.Equal([(GatewayTestBed.OpenAIProvider, "a", 429), (GatewayTestBed.OpenAIProvider, "b", 200)], attempts);
        Assert.DoesNotContain(KeyPoolBed.Secret("a"), log.GetRawText());
    }

    [Fact]
    public async Task EveryKeyRateLimited_RelaysTheUpstreams429_ThenAnswers503_WithTheEarliestRecovery()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIRateLimit(45));
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("b"), FakeReply.OpenAIRateLimit(30));

        using var first = await pool.ChatAsync();
        using var second = await pool.ChatAsync();
        var body = await KeyPoolBed.JsonAsync(second);

        Assert.Equal(429, (int)first.StatusCode);
        Assert.Equal("30", first.Headers.GetValues("Retry-After").Single());
        Assert.Equal(503, (int)second.StatusCode);
        Assert.Equal("30", second.Headers.GetValues("Retry-After").Single());
        Assert.Equal(
            "every upstream key for model 'gpt-alias' is cooling down or quarantined; retry after the Retry-After delay",
            body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(2, pool.TakeKeysSeen().Length);
        var logs = await pool.Bed.WaitForLogsAsync(2);
        Assert.Equal(503, logs[0].GetProperty("status_code").GetInt32());
        Assert.Equal(0, logs[0].GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task EveryKeyCooling_AnswersInTheAnthropicShape_ForAnthropicClients()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");
        await pool.SetPoolAsync(GatewayTestBed.AnthropicProvider, "priority", "x");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("x"), FakeReply.AnthropicError(429, "rate_limit_error", "slow down", new Dictionary<string, string> { ["Retry-After"] = "20" }));
        const string body = """{"model":"claude-alias","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""";

        using var first = await pool.Bed.PostAsync("v1/messages", body);
        using var second = await pool.Bed.PostAsync("v1/messages", body);

        Assert.Equal(429, (int)first.StatusCode);
        Assert.Equal("20", second.Headers.GetValues("Retry-After").Single());
        await GatewayErrorAssert.AnthropicAsync(second, 503, "overloaded_error",
            "every upstream key for model 'claude-alias' is cooling down or quarantined; retry after the Retry-After delay");
    }

    [Fact]
    public async Task MidStreamFailure_IsNotRetried_AndEndsWithTheProtocolsErrorEvent()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.StreamThenDrop(2));

        using var response = await pool.ChatAsync(stream: true);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"error\"", text);
        Assert.Contains("ended the stream before it was complete", text);
        Assert.Equal(["a"], pool.TakeKeysSeen());
        var log = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(502, log.GetProperty("status_code").GetInt32());
        Assert.Equal(1, log.GetProperty("attempts").GetInt32());
        Assert.Equal(1, (await pool.KeyHealthAsync("a")).GetProperty("consecutive_failures").GetInt32());
    }

    [Fact]
    public async Task StreamsThatKeepBreaking_CoolTheKey_AndTheNextKeyServes()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.StreamThenDrop(2));

        for (var i = 0; i < 2; i++)
        {
            using var broken = await pool.ChatAsync(stream: true);
            Assert.Contains("ended the stream before it was complete", await broken.Content.ReadAsStringAsync());
        }
        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["a", "a", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal("cooling", health.GetProperty("state").GetString());
        Assert.Equal(2, health.GetProperty("consecutive_failures").GetInt32());
    }

    [Fact]
    public async Task UnreachableKeyEndpoint_FailsOverToTheNextKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        var provider = await AdminApi.OkAsync(pool.Admin, HttpMethod.Get, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}");
        var keyA = provider.GetProperty("provider").GetProperty("api_keys")[0].GetProperty("key_id").GetString();
        await AdminApi.OkAsync(pool.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}/keys/{keyA}", new { base_url = "http://127.0.0.1:9/v1" });

        Assert.Equal(200, await pool.ChatStatusAsync());

        Assert.Equal(["b"], pool.TakeKeysSeen());
        var log = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.Equal(JsonValueKind.Array, log.GetProperty("attempt_log").ValueKind);
        Assert.Equal(502, log.GetProperty("attempt_log")[0].GetProperty("status").GetInt32());
    }
}
