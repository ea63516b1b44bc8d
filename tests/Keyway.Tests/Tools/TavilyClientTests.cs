using System.Text.Json;
using Keyway.Tests.Infrastructure;
using Keyway.Tools;

namespace Keyway.Tests.Tools;

/// <summary>The Tavily call on its own, against the fake Tavily.</summary>
public sealed class TavilyClientTests
{
    [Fact]
    public async Task Search_SendsTavilysRequest_AndCompactsTheAnswer()
    {
        await using var tavily = await FakeTavily.StartAsync();
        using var client = new TavilyClient();

        var outcome = await client.SearchAsync(Provider(tavily), "weather in Paris", 3, CancellationToken.None);

        Assert.True(outcome.Ok);
        Assert.Equal(200, outcome.Status);
        var sent = Assert.Single(tavily.Requests);
        Assert.Equal("/search", sent.Path);
        Assert.Equal($"Bearer {FakeTavily.ApiKey}", sent.Headers["Authorization"]);
        Assert.Equal("""{"query":"weather in Paris","max_results":3,"search_depth":"basic","include_answer":true}""", sent.Body);
        using var result = JsonDocument.Parse(outcome.ResultJson);
        Assert.Equal(["answer", "results"], result.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(FakeTavily.AnswerFor("weather in Paris"), result.RootElement.GetProperty("answer").GetString());
        var first = Assert.Single(result.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(["title", "url", "content"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(FakeTavily.TitleFor("weather in Paris"), first.GetProperty("title").GetString());
        Assert.Equal(FakeTavily.ContentFor("weather in Paris")[..500], first.GetProperty("content").GetString());
    }

    [Theory]
    [InlineData(401)]
    [InlineData(429)]
    [InlineData(502)]
    public async Task Search_ErrorStatus_BecomesAnErrorResult(int status)
    {
        await using var tavily = await FakeTavily.StartAsync();
        tavily.FailNext(status);
        using var client = new TavilyClient();

        var outcome = await client.SearchAsync(Provider(tavily), "q", 5, CancellationToken.None);

        Assert.False(outcome.Ok);
        Assert.Equal(status, outcome.Status);
        Assert.Equal($$"""{"error":"web search failed: HTTP {{status}}"}""", outcome.ResultJson);
    }

    [Fact]
    public async Task Search_NoAnswerInTime_BecomesATimeoutResult()
    {
        await using var tavily = await FakeTavily.StartAsync();
        tavily.HangNext();
        using var client = new TavilyClient { Timeout = TimeSpan.FromMilliseconds(200) };

        var outcome = await client.SearchAsync(Provider(tavily), "q", 5, CancellationToken.None);

        Assert.False(outcome.Ok);
        Assert.Equal(0, outcome.Status);
        Assert.StartsWith("""{"error":"web search failed: timed out""", outcome.ResultJson);
    }

    private static WebSearchProvider Provider(FakeTavily tavily) => new("tavily", FakeTavily.ApiKey, tavily.BaseAddress);
}
