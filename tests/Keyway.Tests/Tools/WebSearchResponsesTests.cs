using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Tools;

/// <summary>
/// The search loop on an <c>openai-responses</c> upstream (Responses clients passed through): the tool in the
/// Responses shape, <c>function_call</c> items answered with <c>function_call_output</c> items in <c>input</c>.
/// </summary>
public sealed class WebSearchResponsesTests
{
    private const string Search = $$"""{"model":"{{WebSearchBed.ResponsesAlias}}","input":"use the tool tavily_search"}""";

    [Fact]
    public async Task OneRound_TheClientGetsTheFinalAnswer_UsageSummed()
    {
        await using var bed = await WebSearchBed.StartAsync();

        var answer = await bed.PostOkAsync("v1/responses", Search);

        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        var tool = Assert.Single(bed.Upstream.Requests[0].Json.GetProperty("tools").EnumerateArray());
        Assert.Equal(("function", "tavily_search"), (tool.GetProperty("type").GetString(), tool.GetProperty("name").GetString()));
        Assert.Equal(["query"], tool.GetProperty("parameters").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var output = Assert.Single(answer.GetProperty("output").EnumerateArray());
        Assert.Equal("message", output.GetProperty("type").GetString());
        Assert.Contains(FakeTavily.AnswerFor("fake-upstream"), output.GetProperty("content")[0].GetProperty("text").GetString());
        var usage = answer.GetProperty("usage");
        Assert.Equal(2 * FakeUpstream.PromptTokens, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.TotalTokens, usage.GetProperty("total_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.CachedTokens, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt64());
        var input = bed.Upstream.Requests[1].Json.GetProperty("input").EnumerateArray().ToArray();
        Assert.Equal(["message", "function_call", "function_call_output"], input.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("use the tool tavily_search", input[0].GetProperty("content").GetString());
        Assert.Equal(input[1].GetProperty("call_id").GetString(), input[2].GetProperty("call_id").GetString());
        using var result = JsonDocument.Parse(input[2].GetProperty("output").GetString()!);
        Assert.Equal(FakeTavily.ContentFor("fake-upstream")[..500], result.RootElement.GetProperty("results")[0].GetProperty("content").GetString());
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(2 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal((1, 1), (log.GetProperty("web_search_calls").GetInt32(), log.GetProperty("web_search_rounds").GetInt32()));
    }

    /// <summary>The client's conversation state is kept: each round builds on its <c>previous_response_id</c>, unstored items lose their id.</summary>
    [Fact]
    public async Task PreviousResponseIdAndStoreFalse_AreKept_ReplayedItemsLoseTheirId()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ResponsesFunctionCalls(("call_a", "tavily_search", WebSearchBed.SearchArgs("a"))));

        await bed.PostOkAsync("v1/responses",
            $$"""{"model":"{{WebSearchBed.ResponsesAlias}}","previous_response_id":"resp_prev","store":false,"input":[{"type":"message","role":"user","content":"hi"}]}""");

        var second = bed.Upstream.Last.Json;
        Assert.Equal("resp_prev", second.GetProperty("previous_response_id").GetString());
        Assert.False(second.GetProperty("store").GetBoolean());
        var call = second.GetProperty("input")[1];
        Assert.Equal("call_a", call.GetProperty("call_id").GetString());
        Assert.False(call.TryGetProperty("id", out _));
    }

    [Fact]
    public async Task TwoRounds_ParallelSearches_ThenMaxRoundsForbidTools()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ResponsesFunctionCalls(("call_a", "tavily_search", WebSearchBed.SearchArgs("a")), ("call_b", "tavily_search", WebSearchBed.SearchArgs("b"))));
        bed.Upstream.Enqueue(WebSearchBed.ResponsesFunctionCalls(("call_c", "tavily_search", WebSearchBed.SearchArgs("c"))), times: 5);

        await bed.PostOkAsync("v1/responses", Search);

        Assert.Equal(["a", "b", "c", "c", "c", "c"], bed.Tavily.Queries.Order());
        Assert.Equal(7, bed.Upstream.RequestCount);
        Assert.Equal("none", bed.Upstream.Last.Json.GetProperty("tool_choice").GetString());
        var input = bed.Upstream.Requests[1].Json.GetProperty("input").EnumerateArray().ToArray();
        Assert.Equal(["message", "function_call", "function_call", "function_call_output", "function_call_output"], input.Select(i => i.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task MixedCalls_TheClientGetsOnlyItsOwn()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ResponsesFunctionCalls(("call_s", "tavily_search", WebSearchBed.SearchArgs("s")), ("call_w", "get_weather", """{"city":"Paris"}""")));

        var answer = await bed.PostOkAsync("v1/responses",
            $$$"""{"model":"{{{WebSearchBed.ResponsesAlias}}}","input":"hi","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]}""");

        var call = Assert.Single(answer.GetProperty("output").EnumerateArray());
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal(1, bed.Upstream.RequestCount);
        Assert.Equal(["s"], bed.Tavily.Queries);
    }

    [Theory]
    [InlineData("""{"model":"resp-alias","input":"use the tool tavily_search"}""", "off")]
    [InlineData("""{"model":"resp-alias","input":"use the tool tavily_search","tool_choice":"none"}""", "auto")]
    public async Task OptedOut_TheBodyIsUntouched(string body, string header)
    {
        await using var bed = await WebSearchBed.StartAsync();

        await bed.PostOkAsync("v1/responses", body, ("x-keyway-web-search", header));

        Assert.False(bed.Upstream.Last.Json.TryGetProperty("tools", out _));
        Assert.Empty(bed.Tavily.Requests);
    }

    [Fact]
    public async Task Streamed_HeldRoundIsHidden_KeepAlive_OneResponse_UsageSummed()
    {
        await using var bed = await WebSearchBed.StartAsync();

        using var response = await bed.Gateway.PostAsync("v1/responses",
            $$"""{"model":"{{WebSearchBed.ResponsesAlias}}","stream":true,"input":"use the tool tavily_search"}""");
        var stream = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, stream);
        Assert.Equal(["fake-upstream"], bed.Tavily.Queries);
        Assert.StartsWith(": keepalive\n\n", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("tavily_search", stream, StringComparison.Ordinal);
        var events = stream.Split('\n').Where(line => line.StartsWith("data: ", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line["data: ".Length..]).RootElement).ToArray();
        Assert.Single(events, e => e.GetProperty("type").GetString() == "response.created");
        var completed = events[^1];
        Assert.Equal("response.completed", completed.GetProperty("type").GetString());
        Assert.Contains(FakeTavily.AnswerFor("fake-upstream"), completed.GetRawText());
        var usage = completed.GetProperty("response").GetProperty("usage");
        Assert.Equal(2 * FakeUpstream.CompletionTokens, usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.ReasoningTokens, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt64());
        var log = (await bed.Gateway.WaitForLogsAsync(1))[0];
        Assert.Equal(2 * FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(1, log.GetProperty("web_search_rounds").GetInt32());
    }
}
