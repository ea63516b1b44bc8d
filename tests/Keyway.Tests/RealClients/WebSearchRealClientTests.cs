using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Claude Code and Codex CLIs with web search: the fake upstream first calls <c>tavily_search</c>, Keyway runs
/// it against the fake Tavily inside the streamed request (Codex also on an <c>openai-responses</c> upstream, passed
/// through), and the client only ever sees the final text.
/// </summary>
public sealed class WebSearchRealClientTests
{
    private const string Prompt = $"{FakeUpstream.ToolTrigger} tavily_search";

    [Theory]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel)]
    public async Task ClaudeCode_PrintsTheAnswerBuiltOnTheSearch(string alias, string upstreamModel)
    {
        await using var bed = await WebSearchBed.StartAsync();
        using var home = new TempDirectory();

        var (process, result) = await ClaudeCode.RunAsync(bed.Gateway, Prompt, home.Path, home.Path, alias);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        var answer = result.GetProperty("result").GetString() ?? "";
        Assert.StartsWith(FakeUpstream.ReplyText(upstreamModel) + " Tool result: ", answer);
        Assert.Contains(FakeTavily.AnswerFor(FakeConversation.ArgumentPlaceholder), answer);
        Assert.Contains(FakeConversation.ArgumentPlaceholder, bed.Tavily.Queries);
    }

    [Theory]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel)]
    [InlineData(WebSearchBed.ResponsesAlias, WebSearchBed.ResponsesModel)]
    public async Task Codex_PrintsTheAnswerBuiltOnTheSearch(string alias, string upstreamModel)
    {
        await using var bed = await WebSearchBed.StartAsync();
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(bed.Gateway.OpenAIBaseUrl, bed.Gateway.Key, alias, Prompt, home.Path, home.Path);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        Assert.StartsWith(FakeUpstream.ReplyText(upstreamModel) + " Tool result: ", run.AgentMessage);
        Assert.Contains(FakeTavily.AnswerFor(FakeConversation.ArgumentPlaceholder), run.AgentMessage);
        Assert.Contains(FakeConversation.ArgumentPlaceholder, bed.Tavily.Queries);
    }
}
