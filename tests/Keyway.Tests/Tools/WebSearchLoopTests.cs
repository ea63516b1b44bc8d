using System.Text;
using System.Text.Json;
using Keyway.Tests.Gateway;
using Keyway.Tests.Protocols;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Tools;

/// <summary>The non-streamed search loop: the gateway runs the upstream's <c>tavily_search</c> calls and asks again.</summary>
public sealed class WebSearchLoopTests
{
    private const string ChatSearch = """{"model":"gpt-alias","messages":[{"role":"user","content":"use the tool tavily_search"}]}""";
    /// <summary>An OpenAI-shaped error object as some OpenAI-compatible vendors answer it with 200 (https://platform.openai.com/docs/guides/error-codes).</summary>
    internal const string ErrorWith200 = """{"error":{"message":"Insufficient account balance","type":"insufficient_quota","code":"1008"}}""";
    /// <summary>The gateway's message for a 200 whose JSON ends before it is complete (<see cref="NoAnswerWith200"/>'s "cut").</summary>
    internal const string CutShortMessage = "answered 200 with a JSON body that ends before it is complete (its Content-Length was shorter than the answer)";
    private const string CutShortText = "The answer breaks off he";
    private const string AnthropicSearch = """{"model":"claude-alias","max_tokens":64,"messages":[{"role":"user","content":"use the tool tavily_search"}]}""";

    [Fact]
    public async Task Chat_OneRound_TheClientGetsTheFinalAnswer_AndTheLogSumsUsage()
    {
        await using var bed = await WebSearchBed.StartAsync();

        var answer = await bed.PostOkAsync("v1/chat/completions", ChatSearch);

        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        var message = answer.GetProperty("choices")[0].GetProperty("message");
        Assert.False(message.TryGetProperty("tool_calls", out var calls) && calls.GetArrayLength() > 0);
        Assert.Contains(FakeTavily.AnswerFor("fake-upstream"), message.GetProperty("content").GetString());
        Assert.Equal(2 * FakeUpstream.PromptTokens, answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.TotalTokens, answer.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        var second = bed.Upstream.Requests[1].Json.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(["user", "assistant", "tool"], second.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(second[1].GetProperty("tool_calls")[0].GetProperty("id").GetString(), second[2].GetProperty("tool_call_id").GetString());
        using var result = JsonDocument.Parse(second[2].GetProperty("content").GetString()!);
        Assert.Equal(FakeTavily.ContentFor("fake-upstream")[..500], result.RootElement.GetProperty("results")[0].GetProperty("content").GetString());
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal(2 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
        Assert.Equal(1, log.GetProperty("web_search_calls").GetInt32());
        Assert.Equal(1, log.GetProperty("web_search_rounds").GetInt32());
        Assert.Single(log.GetProperty("web_search_round_ms").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, log.GetProperty("web_search_queries").ValueKind);
    }

    [Fact]
    public async Task LogToolQueriesOn_TheLogRowKeepsTheQueries()
    {
        await using var bed = await WebSearchBed.StartAsync(logQueries: true);

        await bed.PostOkAsync("v1/chat/completions", ChatSearch);

        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(["fake-upstream"], log.GetProperty("web_search_queries").EnumerateArray().Select(q => q.GetString()));
        Assert.Single(log.GetProperty("web_search_round_ms").EnumerateArray());
    }

    [Fact]
    public async Task NoSearch_TheLogRowHasNoSearchCounts()
    {
        await using var bed = await WebSearchBed.StartAsync();

        await bed.PostOkAsync("v1/chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""");

        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(JsonValueKind.Null, log.GetProperty("web_search_calls").ValueKind);
        Assert.Equal(JsonValueKind.Null, log.GetProperty("web_search_rounds").ValueKind);
    }

    [Fact]
    public async Task Anthropic_OneRound_ToolResultsGoBackAsAUserTurn()
    {
        await using var bed = await WebSearchBed.StartAsync();

        var answer = await bed.PostOkAsync("v1/messages", AnthropicSearch);

        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        Assert.Equal("end_turn", answer.GetProperty("stop_reason").GetString());
        Assert.DoesNotContain(answer.GetProperty("content").EnumerateArray(), block => block.GetProperty("type").GetString() == "tool_use");
        var second = bed.Upstream.Requests[1].Json.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(["user", "assistant", "user"], second.Select(m => m.GetProperty("role").GetString()));
        var toolUse = second[1].GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        var toolResult = Assert.Single(second[2].GetProperty("content").EnumerateArray());
        Assert.Equal("tool_result", toolResult.GetProperty("type").GetString());
        Assert.Equal(toolUse.GetProperty("id").GetString(), toolResult.GetProperty("tool_use_id").GetString());
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(2 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task ResponsesClient_TranslatedToChat_GetsTheLoopToo()
    {
        await using var bed = await WebSearchBed.StartAsync();

        var answer = await bed.PostOkAsync("v1/responses", """{"model":"gpt-alias","input":"use the tool tavily_search"}""");

        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        Assert.DoesNotContain(answer.GetProperty("output").EnumerateArray(), item => item.GetProperty("type").GetString() == "function_call");
        Assert.Equal(2, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task Chat_TwoRounds_ParallelSearches_AllRun()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call_a", "tavily_search", WebSearchBed.SearchArgs("a")), ("call_b", "tavily_search", WebSearchBed.SearchArgs("b"))));
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call_c", "tavily_search", WebSearchBed.SearchArgs("c"))));

        await bed.PostOkAsync("v1/chat/completions", ChatSearch);

        Assert.Equal(["a", "b", "c"], bed.Tavily.Queries.Order());
        Assert.Equal(3, bed.Upstream.RequestCount);
        var last = bed.Upstream.Last.Json.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(["user", "assistant", "tool", "tool", "assistant", "tool"], last.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(["call_a", "call_b"], last[2..4].Select(m => m.GetProperty("tool_call_id").GetString()));
    }

    [Fact]
    public async Task MaxRoundsReached_TheLastCallForbidsTools()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("again"))), times: 6);

        var answer = await bed.PostOkAsync("v1/chat/completions", ChatSearch);

        Assert.Equal(5, bed.Tavily.Queries.Count);
        Assert.Equal(7, bed.Upstream.RequestCount);
        Assert.Equal("none", bed.Upstream.Last.Json.GetProperty("tool_choice").GetString());
        Assert.False(bed.Upstream.Requests[5].Json.TryGetProperty("tool_choice", out _));
        Assert.Equal(11, bed.Upstream.Last.Json.GetProperty("messages").GetArrayLength());
        Assert.Equal("stop", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal((5, 6), (log.GetProperty("web_search_calls").GetInt32(), log.GetProperty("web_search_rounds").GetInt32()));
        Assert.Equal(7 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task MixedCalls_TheClientGetsOnlyItsOwn()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call_s", "tavily_search", WebSearchBed.SearchArgs("s")), ("call_w", "get_weather", """{"city":"Paris"}""")));
        const string body = """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""";

        var answer = await bed.PostOkAsync("v1/chat/completions", body);

        var call = Assert.Single(answer.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(1, bed.Upstream.RequestCount);
        Assert.Equal(["s"], bed.Tavily.Queries);
    }

    [Fact]
    public async Task ClientsOwnTavilySearch_IsTheClientsToAnswer()
    {
        await using var bed = await WebSearchBed.StartAsync();
        const string body = """{"model":"gpt-alias","messages":[{"role":"user","content":"use the tool tavily_search"}],"tools":[{"type":"function","function":{"name":"tavily_search","parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}}}]}""";

        var answer = await bed.PostOkAsync("v1/chat/completions", body);

        var call = Assert.Single(answer.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("tavily_search", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Empty(bed.Tavily.Requests);
    }

    [Fact]
    public async Task TavilyRejectsTheKey_TheModelGetsAnErrorResult_TheClient200()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Tavily.FailNext(401);

        await bed.PostOkAsync("v1/messages", AnthropicSearch);

        var toolResult = bed.Upstream.Last.Json.GetProperty("messages")[2].GetProperty("content")[0];
        Assert.Equal("""{"error":"web search failed: HTTP 401"}""", toolResult.GetProperty("content").GetString());
    }

    [Fact]
    public async Task TavilyTimesOut_TheModelGetsAnErrorResult_TheClient200()
    {
        await using var bed = await WebSearchBed.StartAsync(searchTimeout: TimeSpan.FromMilliseconds(300));
        bed.Tavily.HangNext();

        await bed.PostOkAsync("v1/chat/completions", ChatSearch);

        var toolMessage = bed.Upstream.Last.Json.GetProperty("messages")[2];
        Assert.StartsWith("""{"error":"web search failed: timed out""", toolMessage.GetProperty("content").GetString());
    }

    [Fact]
    public async Task ALaterRoundFails_TheClientGetsThatError()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))));
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, "context too long", "invalid_request_error"));

        using var response = await bed.Gateway.PostAsync("v1/chat/completions", ChatSearch);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("context too long", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(2, bed.Upstream.RequestCount);
    }

    /// <summary>
    /// The loop's final answer that broke off (GLM's network_error) is no answer, as a plain answer that broke off is:
    /// nothing reached the client, so the next key runs the loop again and answers.
    /// </summary>
    [Fact]
    public async Task FinalAnswerBrokeOff_FailsOverToTheNextKey()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await using var tavily = await FakeTavily.StartAsync();
        await WebSearchSetup.CreateTavilyAsync(pool.Admin, "default", tavily);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))), times: 1);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(200, VendorFinishReasonLogTests.BrokenCompletion), times: 1);

        using var response = await pool.Bed.PostAsync("v1/chat/completions", ChatSearch);
        var answer = await KeyPoolBed.JsonAsync(response);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("stop", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(["a", "a", "b", "b"], pool.TakeKeysSeen());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal([502, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
        Assert.Contains("network_error", (await pool.KeyHealthAsync("a")).GetProperty("last_error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// With no key left it is the 502 a plain answer that broke off gets: after search rounds or on the first answer
    /// (which called no search), whole or to a client that asked for a stream from an upstream that answered JSON.
    /// </summary>
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(1, true)]
    public async Task FinalAnswerBrokeOff_OnTheLastKey_Is502(int searchRounds, bool stream)
    {
        await using var bed = await WebSearchBed.StartAsync();
        if (searchRounds > 0)
        {
            bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))), searchRounds);
        }
        bed.Upstream.Enqueue(FakeReply.Status(200, VendorFinishReasonLogTests.BrokenCompletion));

        using var response = await bed.Gateway.PostAsync("v1/chat/completions",
            $$"""{"model":"gpt-alias","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"use the tool tavily_search"}]}""");
        var error = (await KeyPoolBed.JsonAsync(response)).GetProperty("error");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(VendorFinishReasonLogTests.BrokeOffWith200, error.GetProperty("message").GetString());
        Assert.Equal(searchRounds, bed.Tavily.Queries.Count);
        var row = Assert.Single(await bed.Gateway.WaitForLogsAsync(1));
        Assert.Equal(502, row.GetProperty("status_code").GetInt32());
        Assert.Equal(VendorFinishReasonLogTests.BrokeOffWith200, row.GetProperty("error").GetString());
    }

    /// <summary>
    /// A later round that is no answer (a 200 holding an error object; a whole answer cut short, its JSON ending before
    /// its object does, as a Content-Length shorter than the answer makes it; a connection reset, which may come before
    /// the status or in the body) reached no client yet, as a first answer's would not have: the key's failure, and the
    /// next key runs the loop from the start and answers; so also when the client asked for a stream and the rounds came
    /// whole. The row counts every search and extra round the request ran, the failed key's too (each search cost a
    /// Tavily credit), and the tokens of the answer the client got.
    /// </summary>
    [Theory]
    [InlineData("error", false, "answered 200 with an error: Insufficient account balance")]
    [InlineData("error", true, "answered 200 with an error: Insufficient account balance")]
    [InlineData("cut", false, "ends before it is complete")]
    [InlineData("cut", true, "ends before it is complete")]
    [InlineData("reset", false, "upstream provider 'fake-openai'")]
    public async Task LaterRoundWithoutAnAnswer_FailsOverToTheNextKey(string reply, bool stream, string keyError)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await using var tavily = await FakeTavily.StartAsync();
        await WebSearchSetup.CreateTavilyAsync(pool.Admin, "default", tavily);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))), times: 1);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), NoAnswerWith200(reply), times: 1);

        using var response = await pool.Bed.PostAsync("v1/chat/completions", ChatSearchStreaming(stream));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains(FakeTavily.AnswerFor("fake-upstream"), body, StringComparison.Ordinal);
        Assert.DoesNotContain("Insufficient account balance", body, StringComparison.Ordinal);
        Assert.DoesNotContain(CutShortText, body, StringComparison.Ordinal);
        Assert.Equal(["a", "a", "b", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(1, health.GetProperty("consecutive_failures").GetInt32());
        Assert.Contains(keyError, health.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal([502, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
        Assert.Equal(2, tavily.Queries.Count);
        Assert.Equal(2, row.GetProperty("web_search_calls").GetInt32());
        Assert.Equal(2, row.GetProperty("web_search_rounds").GetInt32());
        Assert.Equal(2, row.GetProperty("web_search_round_ms").GetArrayLength());
        Assert.Equal(2 * FakeUpstream.PromptTokens, row.GetProperty("input_tokens").GetInt64());
    }

    /// <summary>
    /// A later round that is no answer (an error object, MiniMax's failure status in <c>base_resp</c>, a page that is not
    /// JSON, a whole answer cut short) on the last key is what the first answer's check makes of it: the client's error in its own shape, with the
    /// status the failure has, whole or to a client that asked for a stream, passed through or translated.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", false, "error", 502, "answered 200 with an error: Insufficient account balance")]
    [InlineData("v1/chat/completions", true, "error", 502, "answered 200 with an error: Insufficient account balance")]
    [InlineData("v1/messages", false, "error", 502, "answered 200 with an error: Insufficient account balance")]
    [InlineData("v1/chat/completions", false, "minimax", 402, "answered 200 with an error: insufficient balance (1008)")]
    [InlineData("v1/chat/completions", true, "minimax", 402, "answered 200 with an error: insufficient balance (1008)")]
    [InlineData("v1/chat/completions", false, "html", 502, "answered 200 with a body that is not JSON (Content-Type text/html): <html>Gateway</html>")]
    [InlineData("v1/chat/completions", false, "cut", 502, CutShortMessage)]
    [InlineData("v1/chat/completions", true, "cut", 502, CutShortMessage)]
    [InlineData("v1/messages", false, "cut", 502, CutShortMessage)]
    public async Task LaterRoundWithoutAnAnswer_OnTheLastKey_IsTheClientsError(string path, bool stream, string reply, int status, string message)
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))));
        bed.Upstream.Enqueue(NoAnswerWith200(reply));
        var json = path == "v1/messages"
            ? """{"model":"gpt-alias","max_tokens":64,"messages":[{"role":"user","content":"use the tool tavily_search"}]}"""
            : ChatSearchStreaming(stream);

        using var response = await bed.Gateway.PostAsync(path, json, ("anthropic-version", "2023-06-01"));
        var answer = await KeyPoolBed.JsonAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(path == "v1/messages", answer.TryGetProperty("type", out _));
        Assert.Equal($"upstream provider 'fake-openai' {message}", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(["q"], bed.Tavily.Queries);
        var row = Assert.Single(await bed.Gateway.WaitForLogsAsync(1));
        Assert.Equal(status, row.GetProperty("status_code").GetInt32());
        Assert.Equal($"upstream provider 'fake-openai' {message}", row.GetProperty("error").GetString());
    }

    /// <summary>
    /// A round's error status fails the key as that status does on the first round: with no search before it, or after
    /// one. A rate limit with Retry-After cools the key at once, an overloaded upstream counts one failure, and the next
    /// key runs the loop from the start and answers; so also when the client asked for a stream and the rounds came
    /// whole. The row's search counts are the request's totals, the failed key's included; its tokens the answer's.
    /// </summary>
    [Theory]
    [InlineData(0, 429, false)]
    [InlineData(1, 429, false)]
    [InlineData(1, 429, true)]
    [InlineData(0, 503, false)]
    [InlineData(1, 503, false)]
    public async Task RoundRefused_FailsOverToTheNextKey_AsOnTheFirstRound(int searchRounds, int refused, bool stream)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await using var tavily = await FakeTavily.StartAsync();
        await WebSearchSetup.CreateTavilyAsync(pool.Admin, "default", tavily);
        ScriptRefusal(pool, "a", searchRounds, refused);

        using var response = await pool.Bed.PostAsync("v1/chat/completions", ChatSearchStreaming(stream));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains(FakeTavily.AnswerFor("fake-upstream"), body, StringComparison.Ordinal);
        Assert.Equal([.. Enumerable.Repeat("a", searchRounds + 1), "b", "b"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(refused == 429 ? "cooling" : "ok", health.GetProperty("state").GetString());
        Assert.Equal(1, health.GetProperty("consecutive_failures").GetInt32());
        Assert.Equal(refused, health.GetProperty("last_status").GetInt32());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal([refused, 200], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
        Assert.Equal(searchRounds + 1, row.GetProperty("web_search_calls").GetInt32());
        Assert.Equal(searchRounds + 1, row.GetProperty("web_search_rounds").GetInt32());
        Assert.Equal(2 * FakeUpstream.PromptTokens, row.GetProperty("input_tokens").GetInt64());
    }

    /// <summary>
    /// On the last key a round's error status is the client's error as that status on the first round makes it, in the
    /// client's protocol: a rate limit or an overloaded upstream with its status, a refused key a 502 (no fault of the
    /// client's key), the caller's own mistake as it is; the key fails (or not) and the row logs the attempt alike.
    /// </summary>
    [Theory]
    [InlineData(0, 429, "v1/chat/completions", 429)]
    [InlineData(1, 429, "v1/chat/completions", 429)]
    [InlineData(1, 429, "v1/messages", 429)]
    [InlineData(0, 503, "v1/chat/completions", 503)]
    [InlineData(1, 503, "v1/chat/completions", 503)]
    [InlineData(0, 401, "v1/chat/completions", 502)]
    [InlineData(1, 401, "v1/chat/completions", 502)]
    [InlineData(1, 401, "v1/messages", 502)]
    [InlineData(0, 400, "v1/chat/completions", 400)]
    [InlineData(1, 400, "v1/chat/completions", 400)]
    public async Task RoundRefused_OnTheLastKey_IsTheClientsError_AsOnTheFirstRound(int searchRounds, int refused, string path, int status)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");
        await using var tavily = await FakeTavily.StartAsync();
        await WebSearchSetup.CreateTavilyAsync(pool.Admin, "default", tavily);
        ScriptRefusal(pool, "a", searchRounds, refused);
        var json = path == "v1/messages"
            ? """{"model":"gpt-alias","max_tokens":64,"messages":[{"role":"user","content":"use the tool tavily_search"}]}"""
            : ChatSearch;

        using var response = await pool.Bed.PostAsync(path, json, ("anthropic-version", "2023-06-01"));
        var answer = await KeyPoolBed.JsonAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(path == "v1/messages", answer.TryGetProperty("type", out _));
        Assert.Contains($"upstream provider 'fake-openai' returned {refused}: {RefusalMessage(refused)}",
            answer.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(searchRounds, tavily.Queries.Count);
        Assert.Equal(Enumerable.Repeat("a", searchRounds + 1), pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(refused is 429 or 401 ? "cooling" : "ok", health.GetProperty("state").GetString());
        Assert.Equal(refused == 400 ? 0 : 1, health.GetProperty("consecutive_failures").GetInt32());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal(status, row.GetProperty("status_code").GetInt32());
        Assert.StartsWith($"upstream provider 'fake-openai' returned {refused}: {RefusalMessage(refused)}", row.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal([refused], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>The caller's own mistake on a later round is relayed as on the first: no other key is tried, the key stays healthy.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task RoundRefusedAsTheCallersFault_IsRelayed_WithoutFailover(int searchRounds)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await using var tavily = await FakeTavily.StartAsync();
        await WebSearchSetup.CreateTavilyAsync(pool.Admin, "default", tavily);
        ScriptRefusal(pool, "a", searchRounds, 400);

        using var response = await pool.Bed.PostAsync("v1/chat/completions", ChatSearch);
        var answer = await KeyPoolBed.JsonAsync(response);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal($"upstream provider 'fake-openai' returned 400: {RefusalMessage(400)}", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(Enumerable.Repeat("a", searchRounds + 1), pool.TakeKeysSeen());
        Assert.Equal(0, (await pool.KeyHealthAsync("a")).GetProperty("consecutive_failures").GetInt32());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal([400], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>
    /// A later round refused for its tools is relayed without the tool-schema fallback a first round would get: the first
    /// round took the same tools, so running the loop again without them would only repeat its searches.
    /// </summary>
    [Fact]
    public async Task LaterRoundToolError_IsRelayed_WithoutTheToolFallback()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))));
        bed.Upstream.Enqueue(FakeReply.OpenAIError(400, "Unsupported tool type: web_search_preview", "invalid_request_error"));
        const string body = """{"model":"gpt-alias","tools":[{"type":"web_search_preview"}],"messages":[{"role":"user","content":"use the tool tavily_search"}]}""";

        using var response = await bed.Gateway.PostAsync("v1/chat/completions", body);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(2, bed.Upstream.RequestCount);
        var row = Assert.Single(await bed.Gateway.WaitForLogsAsync(1));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("tool_fallback").ValueKind);
        Assert.Equal(1, row.GetProperty("attempts").GetInt32());
    }

    /// <summary>Key <paramref name="keyName"/> calls <c>tavily_search</c> <paramref name="searchRounds"/> times, then answers <paramref name="refused"/>.</summary>
    internal static void ScriptRefusal(KeyPoolBed pool, string keyName, int searchRounds, int refused)
    {
        if (searchRounds > 0)
        {
            pool.Upstream.ReplyForKey(KeyPoolBed.Secret(keyName), WebSearchBed.ChatToolCalls(("call", "tavily_search", WebSearchBed.SearchArgs("q"))), times: searchRounds);
        }
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret(keyName), Refusal(refused), times: 1);
    }

    /// <summary>
    /// OpenAI-shaped errors (https://platform.openai.com/docs/guides/error-codes): a rate limit with Retry-After, an
    /// overloaded engine, a refused key, a request the upstream will not take.
    /// </summary>
    internal static FakeReply Refusal(int status) => status switch
    {
        429 => FakeReply.OpenAIRateLimit(30),
        401 => FakeReply.OpenAIError(401, RefusalMessage(401), "invalid_request_error", "invalid_api_key"),
        503 => FakeReply.OpenAIError(503, RefusalMessage(503), "server_error"),
        _ => FakeReply.OpenAIError(status, RefusalMessage(status), "invalid_request_error"),
    };

    internal static string RefusalMessage(int status) => status switch
    {
        429 => "Rate limit reached for requests. Please try again in 1s.",
        401 => "Incorrect API key provided",
        503 => "The engine is currently overloaded, please try again later",
        _ => "context too long",
    };

    /// <summary>
    /// A whole 200 that is no answer: an error object, MiniMax's failure status (1008) in <c>base_resp</c>, an HTML page,
    /// a chat completion cut short (its JSON ends inside the message, where a Content-Length shorter than the answer
    /// would end it; whole framing, so the gateway sees what such a Content-Length gives it), or the default answer
    /// broken off halfway by a reset.
    /// </summary>
    internal static FakeReply NoAnswerWith200(string kind) => kind switch
    {
        "minimax" => FakeReply.Status(200, Encoding.UTF8.GetString(ProtocolFixtures.Json("vendors/minimax_200_1008_insufficient_balance.json"))),
        "html" => FakeReply.Status(200, "<html>Gateway</html>", contentType: "text/html"),
        "reset" => FakeReply.StreamThenReset(0, Task.CompletedTask),
        "cut" => FakeReply.Status(200, $$"""{"id":"chatcmpl-cut","object":"chat.completion","created":1,"model":"gpt-model","choices":[{"index":0,"message":{"role":"assistant","content":"{{CutShortText}}"""),
        _ => FakeReply.Status(200, ErrorWith200),
    };

    private static string ChatSearchStreaming(bool stream) =>
        $$"""{"model":"gpt-alias","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"use the tool tavily_search"}]}""";
}
