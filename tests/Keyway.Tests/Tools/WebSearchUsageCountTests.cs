using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Tools;

/// <summary>A tool provider's search counts: counted in memory per search, flushed in batches, shown by the admin API.</summary>
public sealed class WebSearchUsageCountTests
{
    [Fact]
    public async Task SearchesAndFailures_AreCountedOnTheToolProvider_AfterAFlush()
    {
        await using var bed = await WebSearchBed.StartAsync();
        bed.Upstream.Enqueue(WebSearchBed.ChatToolCalls(("call_a", "tavily_search", WebSearchBed.SearchArgs("a")), ("call_b", "tavily_search", WebSearchBed.SearchArgs("b"))));
        bed.Tavily.FailNext(401);

        await bed.PostOkAsync("v1/chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""");
        await bed.Gateway.Server.Services.GetRequiredService<ToolUsageTracker>().FlushAsync(CancellationToken.None);
        var after = await ToolProviderAsync(bed);

        Assert.Equal(2, after.GetProperty("search_count").GetInt64());
        Assert.Equal(1, after.GetProperty("search_failures").GetInt64());
        Assert.True(after.GetProperty("last_search_at").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
    }

    private static async Task<System.Text.Json.JsonElement> ToolProviderAsync(WebSearchBed bed) =>
        (await AdminApi.OkAsync(bed.Gateway.Admin, HttpMethod.Get, "admin/llm/groups/default/tool-providers")).GetProperty("tool_providers")[0];
}
