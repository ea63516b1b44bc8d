using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Anthropic;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Policy;

/// <summary>Daily and monthly token budgets: counted from finished requests' real usage, reset on the UTC calendar.</summary>
public sealed class TokenBudgetTests
{
    [Theory]
    [InlineData("daily_token_budget", "daily")]
    [InlineData("monthly_token_budget", "monthly")]
    public async Task Budget_SpentByStreamedAndPlainUsage_ResetsAtTheUtcBoundary(string field, string which)
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { [field] = 30 });

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        await bed.WaitForRequestsAsync(1);
        using (var streamed = await KeyPolicyBed.MessagesAsync(key.Client, stream: true))
        {
            Assert.Equal(200, (int)streamed.StatusCode);
            await streamed.Content.ReadAsStringAsync();
        }
        await bed.WaitForRequestsAsync(2);

        var spent = $"The {which} token budget of this API key (30 tokens) is spent; it resets at 2030-02-01T00:00:00Z.";
        using (var refused = await KeyPolicyBed.ChatAsync(key.Client))
        {
            Assert.Equal("120", KeyPolicyBed.Header(refused, "Retry-After"));
            await GatewayErrorAssert.OpenAIAsync(refused, 429, spent);
        }
        using (var refusedAnthropic = await KeyPolicyBed.MessagesAsync(key.Client))
        {
            await GatewayErrorAssert.AnthropicAsync(refusedAnthropic, 429, "rate_limit_error", spent);
        }
        Assert.Equal(2, bed.Upstream.RequestCount);

        bed.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
    }

    [Fact]
    public async Task StreamLeftBeforeItsUsage_CountsAnEstimateAgainstTheBudget()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: 3));

        var response = await KeyPolicyBed.ChatAsync(key.Client, stream: true);
        var stream = await response.Content.ReadAsStreamAsync();
        await stream.ReadAtLeastAsync(new byte[16], 1);
        response.Dispose();
        await bed.Upstream.WaitForAbortAsync();

        var log = (await bed.WaitForRequestsAsync(1))[0];
        Assert.Equal(499, log.GetProperty("status_code").GetInt32());
        var input = log.GetProperty("input_tokens");
        var output = log.GetProperty("output_tokens");
        Assert.Equal((JsonValueKind.Number, JsonValueKind.Number), (input.ValueKind, output.ValueKind));
        Assert.True(log.GetProperty("usage_estimated").GetBoolean());
        Assert.InRange(input.GetInt64(), 1, 100);
        Assert.InRange(output.GetInt64(), 1, 3);
        var today = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/keys/{key.KeyId}/usage")).GetProperty("today");
        Assert.Equal(1000 - input.GetInt64() - output.GetInt64(), today.GetProperty("remaining_tokens").GetInt64());
    }

    [Fact]
    public async Task StreamLeftRightAfterThe200_CountsThePromptAgainstTheBudget()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        var headersSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Upstream.Enqueue(FakeReply.HeadersThenHang(headersSent));

        using var leave = new CancellationTokenSource();
        var call = KeyPolicyBed.ChatAsync(key.Client, stream: true, cancellationToken: leave.Token);
        await headersSent.Task;
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await bed.Upstream.WaitForAbortAsync();

        var log = await EstimatedLogAsync(bed, key, expectedStatus: 499);
        Assert.Equal(0, log.GetProperty("output_tokens").GetInt64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LeftAfterTheUpstreamReadTheBody_BeforeItsStatus_CountsThePromptAgainstTheBudget(bool stream)
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        bed.Upstream.Enqueue(FakeReply.HangUntilAborted());

        await LeaveOnceTheUpstreamHasTheBodyAsync(bed, key, stream, upstreamRequests: 1);

        var log = await EstimatedLogAsync(bed, key, expectedStatus: 499);
        Assert.Equal(0, log.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task LeftDuringAFailover_CountsOnlyTheAttemptItLeft()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject
        {
            ["routing_mode"] = "priority",
            ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = "sk-a" }, new JsonObject { ["name"] = "b", ["api_key"] = "sk-b" }),
        });
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        bed.Upstream.ReplyForKey("sk-a", FakeReply.OpenAIError(500, "The server had an error while processing your request.", "server_error"), times: 1);
        bed.Upstream.ReplyForKey("sk-b", FakeReply.HangUntilAborted(), times: 1);

        await LeaveOnceTheUpstreamHasTheBodyAsync(bed, key, stream: false, upstreamRequests: 2);

        var log = await EstimatedLogAsync(bed, key, expectedStatus: 499);
        var attempts = log.GetProperty("attempt_log");
        Assert.Equal(["a", "b"], attempts.EnumerateArray().Select(attempt => attempt.GetProperty("key").GetString()));
        Assert.Equal(500, attempts[0].GetProperty("status").GetInt32());
        // One prompt: the one the client left; the refused attempt's is not added.
        Assert.Equal(TokenEstimator.CountInputTokens(Encoding.UTF8.GetBytes(bed.Upstream.Requests[1].Body)), log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(0, log.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task LeftBeforeTheBodyWasSentInFull_CountsNothing()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        using var upstream = new NonReadingUpstream();
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "non-reading", new Uri(upstream.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "non-reading-alias", "non-reading", GatewayTestBed.OpenAIModel);
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        // Four times what the gateway's send buffer and the upstream's receive buffer hold at most: the body's end never leaves.
        var prompt = new string('x', 16 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayTestBed.Json($$"""{"model":"non-reading-alias","messages":[{"role":"user","content":"{{prompt}}"}]}"""),
        };

        using var leave = new CancellationTokenSource();
        var call = key.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token);
        await upstream.Accepted;
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var log = (await bed.WaitForRequestsAsync(1))[0];
        Assert.Equal(499, log.GetProperty("status_code").GetInt32());
        Assert.False(log.GetProperty("usage_estimated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, log.GetProperty("input_tokens").ValueKind);
        var today = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/keys/{key.KeyId}/usage")).GetProperty("today");
        Assert.Equal(1000, today.GetProperty("remaining_tokens").GetInt64());
    }

    /// <summary>
    /// A client that leaves during a later web-search round, once that round's body went upstream in full: the earlier
    /// round costs what it reported, and the round left its prompt's estimate, as a first round left does; whether the
    /// loop ran on whole answers or on a stream.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LeftDuringALaterWebSearchRound_CountsTheEarlierRoundAndThePromptOfTheRoundLeft(bool stream)
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        await using var tavily = await FakeTavily.StartAsync();
        await WebSearchSetup.CreateTavilyAsync(bed.Admin, "default", tavily);
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 100_000 });
        // Whole, the scripted first round calls the search; streamed, the fake's own answer to the prompt does.
        bed.Upstream.Enqueue(stream ? FakeReply.ReportingPromptTokens(FakeUpstream.PromptTokens) : WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))));
        bed.Upstream.Enqueue(FakeReply.HangUntilAborted());
        var streamed = stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "";
        var body = $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}",{{streamed}}"messages":[{"role":"user","content":"use the tool tavily_search"}]}""";

        using var leave = new CancellationTokenSource();
        var call = key.Client.PostAsync("v1/chat/completions", GatewayTestBed.Json(body), leave.Token);
        await bed.Upstream.WaitForRequestsAsync(2);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await bed.Upstream.WaitForAbortAsync();

        var log = (await bed.WaitForRequestsAsync(1))[0];
        Assert.Equal(1, log.GetProperty("web_search_rounds").GetInt32());
        Assert.True(log.GetProperty("usage_estimated").GetBoolean());
        var leftRound = TokenEstimator.CountInputTokens(Encoding.UTF8.GetBytes(bed.Upstream.Requests[1].Body));
        Assert.Equal(FakeUpstream.PromptTokens + leftRound, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
        var today = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/keys/{key.KeyId}/usage")).GetProperty("today");
        Assert.Equal(100_000 - FakeUpstream.PromptTokens - leftRound - FakeUpstream.CompletionTokens, today.GetProperty("remaining_tokens").GetInt64());
    }

    /// <summary>
    /// A client that leaves while the gateway searches between later rounds: every round answered so far costs what it
    /// reported (not only the first), and nothing is estimated, as no round was sent that the client left.
    /// </summary>
    [Fact]
    public async Task LeftDuringALaterSearch_CountsEveryRoundAnswered()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        await using var tavily = await FakeTavily.StartAsync();
        await WebSearchSetup.CreateTavilyAsync(bed.Admin, "default", tavily);
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 100_000 });
        var secondRound = new TaskCompletionSource();
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call_1", "tavily_search", WebSearchBed.SearchArgs("q1"))));
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call_2", "tavily_search", WebSearchBed.SearchArgs("q2"))).After(secondRound.Task));

        using var leave = new CancellationTokenSource();
        var call = key.Client.PostAsync("v1/chat/completions",
            GatewayTestBed.Json($$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","messages":[{"role":"user","content":"use the tool tavily_search"}]}"""), leave.Token);
        await bed.Upstream.WaitForRequestsAsync(2);
        tavily.HangNext();
        secondRound.SetResult();
        while (tavily.Requests.Count < 2)
        {
            await Task.Delay(10);
        }
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var log = (await bed.WaitForRequestsAsync(1))[0];
        Assert.Equal(499, log.GetProperty("status_code").GetInt32());
        Assert.False(log.GetProperty("usage_estimated").GetBoolean());
        Assert.Equal(2 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
        Assert.Equal(2, bed.Upstream.RequestCount);
    }

    /// <summary>A chat call whose client hangs up once the upstream has read the body of its <paramref name="upstreamRequests"/>th request, which it does not answer.</summary>
    private static async Task LeaveOnceTheUpstreamHasTheBodyAsync(KeyPolicyBed bed, IssuedKey key, bool stream, int upstreamRequests)
    {
        using var leave = new CancellationTokenSource();
        var call = KeyPolicyBed.ChatAsync(key.Client, stream: stream, cancellationToken: leave.Token);
        await bed.Upstream.WaitForRequestsAsync(upstreamRequests);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await bed.Upstream.WaitForAbortAsync();
    }

    [Fact]
    public async Task WholeAnswerWithoutUsage_CountsThePromptAgainstTheBudget()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        bed.Upstream.Enqueue(FakeReply.WithoutUsage());

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));

        var log = await EstimatedLogAsync(bed, key, expectedStatus: 200);
        Assert.Equal(JsonValueKind.Null, log.GetProperty("output_tokens").ValueKind);
    }

    /// <summary>The one log row, its prompt estimated and counted against <paramref name="key"/>'s daily budget of 1000 with what the row says it output.</summary>
    private static async Task<JsonElement> EstimatedLogAsync(KeyPolicyBed bed, IssuedKey key, int expectedStatus)
    {
        var log = (await bed.WaitForRequestsAsync(1))[0];
        Assert.Equal(expectedStatus, log.GetProperty("status_code").GetInt32());
        Assert.True(log.GetProperty("usage_estimated").GetBoolean());
        var input = log.GetProperty("input_tokens").GetInt64();
        Assert.InRange(input, 1, 100);
        var output = log.GetProperty("output_tokens") is { ValueKind: JsonValueKind.Number } reported ? reported.GetInt64() : 0;
        var today = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/keys/{key.KeyId}/usage")).GetProperty("today");
        Assert.Equal(1000 - input - output, today.GetProperty("remaining_tokens").GetInt64());
        return log;
    }

    [Fact]
    public async Task MonthlyBudget_OutlastsTheDay()
    {
        await using var bed = await KeyPolicyBed.StartAsync(new DateTimeOffset(2030, 1, 30, 23, 58, 0, TimeSpan.Zero));
        var key = await bed.CreateKeyAsync(new JsonObject { ["monthly_token_budget"] = 30, ["daily_token_budget"] = 1000 });
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client, stream: true));
        await bed.WaitForRequestsAsync(2);

        bed.Clock.Advance(TimeSpan.FromMinutes(2));
        using var refused = await KeyPolicyBed.ChatAsync(key.Client);
        Assert.Equal($"{(int)TimeSpan.FromDays(1).TotalSeconds}", KeyPolicyBed.Header(refused, "Retry-After"));
        await GatewayErrorAssert.OpenAIAsync(refused, 429, "The monthly token budget of this API key (30 tokens) is spent; it resets at 2030-02-01T00:00:00Z.");
    }

    [Fact]
    public async Task Restart_KeepsTheDaysUsage()
    {
        using var dataDir = new TempDirectory();
        await using var upstream = await FakeUpstream.StartAsync();
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        void UseClock(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);
        string plaintext;
        await using (var first = await KeywayServer.StartAsync(dataDir.Path, replaceServices: UseClock))
        {
            await AdminApi.CreateProviderAsync(first.Admin, "default", "fake", new Uri(upstream.BaseAddress, "v1").ToString());
            await AdminApi.CreateRouteAsync(first.Admin, "default", GatewayTestBed.OpenAIAlias, "fake", GatewayTestBed.OpenAIModel);
            var created = await AdminApi.OkAsync(first.Admin, HttpMethod.Post, "admin/llm/groups/default/keys",
                new JsonObject { ["name"] = "budgeted", ["daily_token_budget"] = 30 });
            plaintext = created.GetProperty("plaintext").GetString()!;
            using var client = first.ClientWithKey(plaintext);
            Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(client));
            Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(client));
        }

        await using var second = await KeywayServer.StartAsync(dataDir.Path, replaceServices: UseClock);
        using var again = second.ClientWithKey(plaintext);
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(again));
        Assert.Equal(2, upstream.RequestCount);
    }
}
