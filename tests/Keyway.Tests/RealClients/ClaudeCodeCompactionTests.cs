using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// Claude Code's <c>/compact</c> through Keyway, in print mode with <c>--continue</c>. (Its auto-compaction weighs the
/// usage the upstream reports against a window of at least 100,000 tokens, the floor of <c>CLAUDE_CODE_AUTO_COMPACT_WINDOW</c>,
/// which the fake's usage never reaches; it sends the same request.) The compaction is an
/// ordinary POST /v1/messages whose last user message asks for a text-only summary (the tools still offered); the next
/// turn starts from that summary.
/// </summary>
public sealed class ClaudeCodeCompactionTests
{
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
        var requests = bed.Upstream.Requests;
        Assert.Equal(history.Length + 2, requests.Count);
        Assert.Contains(requests[^2].Strings(), text => text.Contains("Respond with TEXT ONLY", StringComparison.Ordinal));
        // The summary is the fake's answer to the compaction request.
        Assert.Contains(requests[^1].Strings(), text =>
            text.Contains("continued from a previous conversation", StringComparison.Ordinal)
            && text.Contains(FakeUpstream.ReplyText(upstreamModel), StringComparison.Ordinal));
        var logs = await bed.WaitForLogsAsync(requests.Count);
        Assert.All(logs, log => Assert.Equal(200, log.GetProperty("status_code").GetInt32()));
    }
}
