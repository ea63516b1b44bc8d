using System.Text.Json;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Tools;

/// <summary>
/// The streamed search loop: the round that only calls <c>tavily_search</c> is held (the client sees keep-alives, never
/// the call), the final round streams through — translated when the client speaks another protocol — with the
/// usage of every round summed.
/// </summary>
public sealed class WebSearchStreamTests
{
    private const string Trigger = "use the tool tavily_search";

    [Fact]
    public async Task Chat_HeldRoundIsHidden_KeepAlive_FinalRoundStreams_UsageSummed()
    {
        await using var bed = await WebSearchBed.StartAsync();

        var stream = await PostStreamAsync(bed, "v1/chat/completions",
            $$"""{"model":"gpt-alias","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"{{Trigger}}"}]}""");

        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        Assert.StartsWith(": keepalive\n\n", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("tavily_search", stream, StringComparison.Ordinal);
        AssertCompleteAnswer("v1/chat/completions", stream, FakeTavily.AnswerFor("fake-upstream"), 2);
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal(2 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(1, log.GetProperty("web_search_calls").GetInt32());
        Assert.Equal(1, log.GetProperty("web_search_rounds").GetInt32());
    }

    /// <summary>An Anthropic client, passed through to an Anthropic upstream or translated from a Chat one.</summary>
    [Theory]
    [InlineData(GatewayTestBed.AnthropicAlias)]
    [InlineData(GatewayTestBed.OpenAIAlias)]
    public async Task Anthropic_PingWhileSearching_OneMessage_UsageSummed(string alias)
    {
        await using var bed = await WebSearchBed.StartAsync();

        var stream = await PostStreamAsync(bed, "v1/messages",
            $$"""{"model":"{{alias}}","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"{{Trigger}}"}]}""");

        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        Assert.StartsWith("event: ping\n", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("tavily_search", stream, StringComparison.Ordinal);
        AssertCompleteAnswer("v1/messages", stream, FakeTavily.AnswerFor("fake-upstream"), 2);
    }

    [Fact]
    public async Task ResponsesClient_OnAnthropicUpstream_TranslatedTwice_UsageSummed()
    {
        await using var bed = await WebSearchBed.StartAsync();

        var stream = await PostStreamAsync(bed, "v1/responses",
            $$"""{"model":"claude-alias","stream":true,"input":"{{Trigger}}"}""");

        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        Assert.StartsWith(": keepalive\n\n", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("tavily_search", stream, StringComparison.Ordinal);
        AssertCompleteAnswer("v1/responses", stream, FakeTavily.AnswerFor("fake-upstream"), 2);
    }

    /// <summary>A round that calls the client's own tool is the client's: it streams through live, nothing is searched.</summary>
    [Fact]
    public async Task ClientToolCall_StreamsThrough()
    {
        await using var bed = await WebSearchBed.StartAsync();

        var stream = await PostStreamAsync(bed, "v1/chat/completions",
            """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"use the tool get_weather"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""");

        Assert.Empty(bed.Tavily.Queries);
        Assert.Contains("get_weather", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("keepalive", stream, StringComparison.Ordinal);
        Assert.Single(bed.Upstream.Requests);
    }

    [Fact]
    public async Task LaterRoundFails_TheStreamEndsWithTheErrorEvent()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Default);
        bed.Upstream.Enqueue(FakeReply.OpenAIError(500, "round two broke", "server_error"));

        var stream = await PostStreamAsync(bed, "v1/chat/completions",
            $$"""{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"{{Trigger}}"}]}""");

        Assert.Contains("round two broke", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("tavily_search", stream, StringComparison.Ordinal);
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(500, log.GetProperty("status_code").GetInt32());
    }

    /// <summary>
    /// A final round that streams live and breaks off (GLM's network_error) has reached the client: its chunk is relayed
    /// as a plain stream's is, and the row is the 502 of a stream the upstream broke off, one failure against the key.
    /// </summary>
    [Fact]
    public async Task FinalRoundBrokeOff_IsRelayed_AndLogged502()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Default);
        bed.Upstream.Enqueue(FakeReply.Status(200, VendorFinishReasonLogTests.BrokenStream, contentType: "text/event-stream"));

        var stream = await PostStreamAsync(bed, "v1/chat/completions",
            $$"""{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"{{Trigger}}"}]}""");

        Assert.Contains("\"finish_reason\":\"network_error\"", stream, StringComparison.Ordinal);
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(502, log.GetProperty("status_code").GetInt32());
        Assert.Contains("network_error", log.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, log.GetProperty("web_search_rounds").GetInt32());
    }

    /// <summary>
    /// A later round that answers an error comes after the client's stream began (keep-alives went out): no other key can
    /// take it, so the stream ends with the error in the client's protocol and the row has it, whether the round's
    /// stream opens with the error or the upstream answered it as a whole body (an error object, MiniMax's failure status
    /// in <c>base_resp</c>, an answer whose JSON ends before it is complete), as the first answer's check reads it; the
    /// failure status is the row's.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", "stream", 502, "Insufficient account balance")]
    [InlineData("v1/chat/completions", "error", 502, "answered 200 with an error: Insufficient account balance")]
    [InlineData("v1/messages", "error", 502, "answered 200 with an error: Insufficient account balance")]
    [InlineData("v1/chat/completions", "minimax", 402, "answered 200 with an error: insufficient balance (1008)")]
    [InlineData("v1/chat/completions", "cut", 502, WebSearchLoopTests.CutShortMessage)]
    [InlineData("v1/messages", "cut", 502, WebSearchLoopTests.CutShortMessage)]
    public async Task LaterRoundAnswersAnError_TheStreamEndsWithIt(string path, string reply, int status, string message)
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Default);
        bed.Upstream.Enqueue(reply == "stream"
            ? FakeReply.Status(200, $"data: {WebSearchLoopTests.ErrorWith200}\n\ndata: [DONE]\n\n", contentType: "text/event-stream")
            : WebSearchLoopTests.NoAnswerWith200(reply));

        var stream = await PostStreamAsync(bed, path,
            $$"""{"model":"gpt-alias","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"{{Trigger}}"}]}""");

        Assert.Contains(message.Split(": ")[^1], stream, StringComparison.Ordinal);
        Assert.Contains(path == "v1/messages" ? "event: error\n" : "data: {\"error\":", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("base_resp", stream, StringComparison.Ordinal);
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(status, log.GetProperty("status_code").GetInt32());
        Assert.EndsWith(message, log.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, log.GetProperty("web_search_rounds").GetInt32());
    }

    /// <summary>
    /// A later round whose upstream ignored <c>stream: true</c> and answered a whole completion goes to the client as that
    /// round's stream would have (its protocol's events, through the same stage and translator): a complete stream in the
    /// client's protocol, every round's usage summed, a 200 row.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", GatewayTestBed.OpenAIAlias)]
    [InlineData("v1/messages", GatewayTestBed.OpenAIAlias)]
    [InlineData("v1/messages", GatewayTestBed.AnthropicAlias)]
    [InlineData("v1/responses", GatewayTestBed.OpenAIAlias)]
    [InlineData("v1/responses", GatewayTestBed.AnthropicAlias)]
    public async Task LaterRoundAnswersWhole_ItStreamsToTheClient(string path, string alias)
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Default);
        bed.Upstream.Enqueue(FakeReply.IgnoringStream());

        var stream = await PostStreamAsync(bed, path, StreamingRequest(path, alias));

        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        Assert.DoesNotContain("tavily_search", stream, StringComparison.Ordinal);
        AssertCompleteAnswer(path, stream, FakeTavily.AnswerFor("fake-upstream"), 2);
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal(JsonValueKind.Null, log.GetProperty("error").ValueKind);
        Assert.Equal(2 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
        Assert.Equal(1, log.GetProperty("web_search_rounds").GetInt32());
    }

    /// <summary>A later round's whole answer that calls <c>tavily_search</c> again is held and searched as a streamed round's is, and the loop goes on.</summary>
    [Fact]
    public async Task LaterRoundAnswersWholeWithSearchCalls_TheLoopGoesOn()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Default);
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call_again", "tavily_search", WebSearchBed.SearchArgs("again"))));

        var stream = await PostStreamAsync(bed, "v1/chat/completions", StreamingRequest("v1/chat/completions", GatewayTestBed.OpenAIAlias));

        Assert.Equal(["fake-upstream", "again"], bed.Tavily.Queries);
        Assert.Equal(3, bed.Upstream.RequestCount);
        Assert.Equal("call_again", bed.Upstream.Requests[2].Json.GetProperty("messages").EnumerateArray().Last().GetProperty("tool_call_id").GetString());
        Assert.DoesNotContain("tavily_search", stream, StringComparison.Ordinal);
        AssertCompleteAnswer("v1/chat/completions", stream, FakeTavily.AnswerFor("again"), 3);
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal(3 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2, log.GetProperty("web_search_calls").GetInt32());
        Assert.Equal(2, log.GetProperty("web_search_rounds").GetInt32());
    }

    /// <summary>
    /// A later round's whole answer that broke off (GLM's network_error) ends the live stream as a streamed round that
    /// broke off does: with the upstream's failure, the row a 502 that says so.
    /// </summary>
    [Fact]
    public async Task LaterRoundAnswersWholeAndBrokeOff_TheStreamEndsWithIt()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.Default);
        bed.Upstream.Enqueue(FakeReply.Status(200, VendorFinishReasonLogTests.BrokenCompletion));

        var stream = await PostStreamAsync(bed, "v1/chat/completions", StreamingRequest("v1/chat/completions", GatewayTestBed.OpenAIAlias));

        Assert.Contains("network_error", stream, StringComparison.Ordinal);
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(502, log.GetProperty("status_code").GetInt32());
        Assert.Equal(VendorFinishReasonLogTests.BrokeOffWith200, log.GetProperty("error").GetString());
    }

    /// <summary>
    /// A later round's error status comes after the client's stream began: no other key may take it, so the stream ends
    /// with the error event in the client's protocol, and the key fails as that status on the first round makes it (a rate
    /// limit with Retry-After cools it, an overloaded upstream counts one failure, the caller's own mistake none); the
    /// row logs the attempt with that status.
    /// </summary>
    [Theory]
    [InlineData("v1/chat/completions", 429, "cooling", 1)]
    [InlineData("v1/messages", 429, "cooling", 1)]
    [InlineData("v1/chat/completions", 503, "ok", 1)]
    [InlineData("v1/chat/completions", 400, "ok", 0)]
    public async Task LaterRoundRefused_TheStreamEndsWithIt_TheKeyFailsAsOnTheFirstRound(string path, int refused, string state, int failures)
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await using var tavily = await FakeTavily.StartAsync();
        await WebSearchSetup.CreateTavilyAsync(pool.Admin, "default", tavily);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Default, times: 1);
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), WebSearchLoopTests.Refusal(refused), times: 1);

        using var response = await pool.Bed.PostAsync(path, StreamingRequest(path, GatewayTestBed.OpenAIAlias), ("anthropic-version", "2023-06-01"));
        var stream = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains(path == "v1/messages" ? "event: error\n" : "data: {\"error\":", stream, StringComparison.Ordinal);
        Assert.Contains(WebSearchLoopTests.RefusalMessage(refused), stream, StringComparison.Ordinal);
        Assert.Equal(["a", "a"], pool.TakeKeysSeen());
        var health = await pool.KeyHealthAsync("a");
        Assert.Equal(state, health.GetProperty("state").GetString());
        Assert.Equal(failures, health.GetProperty("consecutive_failures").GetInt32());
        var row = Assert.Single(await pool.Bed.WaitForLogsAsync(1));
        Assert.Equal(refused, row.GetProperty("status_code").GetInt32());
        Assert.Equal([refused], row.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
        Assert.Equal(1, row.GetProperty("web_search_rounds").GetInt32());
    }

    private static string StreamingRequest(string path, string alias) => path switch
    {
        "v1/responses" => $$"""{"model":"{{alias}}","stream":true,"input":"{{Trigger}}"}""",
        _ => $$"""{"model":"{{alias}}","max_tokens":64,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"{{Trigger}}"}]}""",
    };

    /// <summary>The client's stream is whole in its protocol, holds <paramref name="text"/> and reports the output tokens of <paramref name="rounds"/> rounds.</summary>
    private static void AssertCompleteAnswer(string path, string stream, string text, int rounds)
    {
        switch (path)
        {
            case "v1/messages":
                var events = DataOf(stream).Select(data => JsonDocument.Parse(data).RootElement).ToArray();
                Assert.Single(events, e => e.GetProperty("type").GetString() == "message_start");
                Assert.Equal("message_stop", events[^1].GetProperty("type").GetString());
                Assert.Contains(text, AnthropicText(events), StringComparison.Ordinal);
                var delta = events.Single(e => e.GetProperty("type").GetString() == "message_delta");
                Assert.Equal(rounds * FakeUpstream.CompletionTokens, delta.GetProperty("usage").GetProperty("output_tokens").GetInt64());
                break;
            case "v1/responses":
                var completed = DataOf(stream).Select(data => JsonDocument.Parse(data).RootElement).Single(e => e.GetProperty("type").GetString() == "response.completed");
                Assert.Contains(text, completed.GetRawText(), StringComparison.Ordinal);
                Assert.Equal(rounds * FakeUpstream.CompletionTokens, completed.GetProperty("response").GetProperty("usage").GetProperty("output_tokens").GetInt64());
                break;
            default:
                Assert.EndsWith("data: [DONE]\n\n", stream, StringComparison.Ordinal);
                var chunks = DataOf(stream).Where(data => data != "[DONE]").Select(data => JsonDocument.Parse(data).RootElement).ToArray();
                Assert.Contains(text, string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
                    .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "")), StringComparison.Ordinal);
                var usage = chunks.Last(c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object).GetProperty("usage");
                Assert.Equal(rounds * FakeUpstream.PromptTokens, usage.GetProperty("prompt_tokens").GetInt64());
                Assert.Equal(rounds * FakeUpstream.CompletionTokens, usage.GetProperty("completion_tokens").GetInt64());
                break;
        }
    }

    private static async Task<string> PostStreamAsync(WebSearchBed bed, string path, string json)
    {
        using var response = await bed.Gateway.PostAsync(path, json, ("anthropic-version", "2023-06-01"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    private static IEnumerable<string> DataOf(string stream) =>
        stream.Split('\n').Where(line => line.StartsWith("data: ", StringComparison.Ordinal)).Select(line => line["data: ".Length..]);

    private static string AnthropicText(IEnumerable<JsonElement> events) => string.Concat(events
        .Where(e => e.GetProperty("type").GetString() == "content_block_delta" && e.GetProperty("delta").GetProperty("type").GetString() == "text_delta")
        .Select(e => e.GetProperty("delta").GetProperty("text").GetString()));
}
