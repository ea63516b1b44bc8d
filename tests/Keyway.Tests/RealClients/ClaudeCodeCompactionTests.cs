using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// Claude Code's compaction through Keyway, in print mode: <c>/compact</c> (with <c>--continue</c>) and the automatic one.
/// Either is an ordinary POST /v1/messages whose last user message asks for a text-only summary (the tools still
/// offered); the next turn starts from that summary.
/// Claude Code compacts on its own only with a configured window (<c>CLAUDE_CODE_AUTO_COMPACT_WINDOW</c>, at least
/// 100,000 tokens): to a model it does not know, such as the alias, it never does otherwise, whatever usage the upstream
/// reports. With the window, it compacts before a request once the usage the upstream reported last (plus its estimate of
/// the messages since) is within 33,000 tokens of the window, and summarizes all but the last exchange, which follows the
/// summary.
/// </summary>
public sealed class ClaudeCodeCompactionTests
{
    /// <summary>In the last user message of a compaction request: the start of Claude Code's summary instructions.</summary>
    private const string SummaryRequest = "Respond with TEXT ONLY";

    /// <summary>In the first user message after a compaction, before the summary.</summary>
    private const string ContinuedFromSummary = "continued from a previous conversation";

    private const string FileContent = "auto-compacted-file-content";

    [Theory]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel)]
    public async Task Compact_SummarizesThroughTheRoute_AndTheNextTurnStartsFromTheSummary(string alias, string upstreamModel)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var home = new TempDirectory();
        // After a single exchange Claude Code answers "Not enough messages to compact." without calling the model.
        string[] history = ["Say hello.", "Say hello again.", "And once more.", "One last time."];
        for (var turn = 0; turn < history.Length; turn++)
        {
            await ClaudeCode.RunAsync(bed, history[turn], home.Path, home.Path, alias, continueSession: turn > 0);
        }

        await ClaudeCode.RunAsync(bed, "/compact", home.Path, home.Path, alias, continueSession: true);
        var (_, next) = await ClaudeCode.RunAsync(bed, "Go on.", home.Path, home.Path, alias, continueSession: true);

        Assert.Equal(FakeUpstream.ReplyText(upstreamModel), next.GetProperty("result").GetString());
        await AssertCompactedAsync(bed, expectedRequests: history.Length + 2, upstreamModel, summarizedPrompt: history[0]);
    }

    [Theory]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel)]
    public async Task AutoCompaction_AfterAToolCallWhoseUsageFillsTheWindow_SummarizesBeforeSendingTheToolResult(string alias, string upstreamModel)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var home = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(home.Path, FakeConversation.ArgumentPlaceholder), FileContent + "\n");
        // Claude Code gives up compacting when the part to summarize holds no answer of the model: it needs an earlier turn.
        const string EarlierPrompt = "Say hello.";
        await ClaudeCode.RunAsync(bed, EarlierPrompt, home.Path, home.Path, alias);
        bed.Upstream.Enqueue(FakeReply.ReportingPromptTokens(ClaudeCode.SmallestAutoCompactWindow));
        // The summarized part ends with the prompt asking for the tool; a model obeying the summary request answers in text.
        bed.Upstream.Enqueue(FakeReply.InTextOnly());

        var (process, result) = await ClaudeCode.RunAsync(
            bed, $"{FakeUpstream.ToolTrigger} Read", home.Path, home.Path, alias, continueSession: true, autoCompactWindow: ClaudeCode.SmallestAutoCompactWindow);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        var answer = result.GetProperty("result").GetString() ?? "";
        Assert.StartsWith(FakeUpstream.ToolResultReplyText(upstreamModel, ""), answer);
        Assert.Contains(FileContent, answer);
        // The first turn, then the tool call, the compaction and the tool result after the summary.
        await AssertCompactedAsync(bed, expectedRequests: 4, upstreamModel, summarizedPrompt: EarlierPrompt);
        Assert.Contains(bed.Upstream.Requests[^1].Strings(), text => text.Contains(FileContent, StringComparison.Ordinal));
    }

    /// <summary>
    /// The upstream received <paramref name="expectedRequests"/> requests, the last two a compaction and the turn after it
    /// starting from its summary (the fake's answer to it) instead of <paramref name="summarizedPrompt"/>, and Keyway logged
    /// every one of them as a 200.
    /// </summary>
    private static async Task AssertCompactedAsync(GatewayTestBed bed, int expectedRequests, string upstreamModel, string summarizedPrompt)
    {
        var requests = bed.Upstream.Requests;
        Assert.Equal(expectedRequests, requests.Count);
        Assert.Contains(requests[^2].Strings(), text => text.Contains(SummaryRequest, StringComparison.Ordinal));
        Assert.Contains(requests[^1].Strings(), text =>
            text.Contains(ContinuedFromSummary, StringComparison.Ordinal)
            && text.Contains(FakeUpstream.ReplyText(upstreamModel), StringComparison.Ordinal));
        Assert.Contains(requests[^2].Strings(), text => text.Contains(summarizedPrompt, StringComparison.Ordinal));
        Assert.DoesNotContain(requests[^1].Strings(), text => text.Contains(summarizedPrompt, StringComparison.Ordinal));
        var logs = await bed.WaitForLogsAsync(requests.Count);
        Assert.All(logs, log => Assert.Equal(200, log.GetProperty("status_code").GetInt32()));
    }
}
