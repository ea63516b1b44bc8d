using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Codex CLI through Keyway's Responses endpoint to the fake upstream. The harness was proven against the
/// fake's own /v1/responses; these run against Keyway once it serves /v1/responses.
/// </summary>
[Trait("needs", "responses")]
public sealed class CodexTests
{
    private const string NeedsResponses = "needs /v1/responses (issue 6)";

    [Fact(Skip = NeedsResponses)]
    public async Task PlainPrompt_AnswersWithTheUpstreamText()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(bed.OpenAIBaseUrl, bed.Key, GatewayTestBed.OpenAIAlias, "Say hello.", home.Path, home.Path);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), run.AgentMessage);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(GatewayTestBed.OpenAIAlias, log.GetProperty("route_alias").GetString());
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.True(log.GetProperty("stream").GetBoolean());
    }

    [Fact(Skip = NeedsResponses)]
    public async Task ShellTool_RunsInTheSandbox_AndItsOutputReachesTheFinalAnswer()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var home = new TempDirectory();

        // The fake calls exec_command with its placeholder as the command; the shell's "not found" is the tool output.
        var run = await Codex.RunAsync(bed.OpenAIBaseUrl, bed.Key, GatewayTestBed.OpenAIAlias, $"{FakeUpstream.ToolTrigger} exec_command", home.Path, home.Path);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        Assert.StartsWith(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel) + " Tool result: ", run.AgentMessage);
        Assert.Contains($"{FakeConversation.ArgumentPlaceholder}: command not found", run.AgentMessage);
        Assert.Equal(2, (await bed.WaitForLogsAsync(2)).Length);
    }
}
