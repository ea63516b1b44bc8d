using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Codex CLI (Responses API only) through Keyway's /v1/responses, translated to a Chat upstream
/// (DeepSeek-style) or, through the Chat hub, to an Anthropic upstream.
/// </summary>
public sealed class CodexTests
{
    /// <summary>With <paramref name="upstreamIgnoresStream"/> the upstream answers whole JSON to Codex's <c>stream: true</c>.</summary>
    [Theory]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, "openai", false)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel, "anthropic", false)]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel, "openai", true)]
    public async Task PlainPrompt_AnswersWithTheUpstreamText(string alias, string upstreamModel, string upstreamProtocol, bool upstreamIgnoresStream)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.ReplyToAll(upstreamIgnoresStream ? FakeReply.IgnoringStream() : null);
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(bed.OpenAIBaseUrl, bed.Key, alias, "Say hello.", home.Path, home.Path);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        Assert.Equal(FakeUpstream.ReplyText(upstreamModel), run.AgentMessage);
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(alias, log.GetProperty("route_alias").GetString());
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.True(log.GetProperty("stream").GetBoolean());
        Assert.True(log.GetProperty("translated").GetBoolean());
        Assert.Equal("openai-responses", log.GetProperty("client_protocol").GetString());
        Assert.Equal(upstreamProtocol, log.GetProperty("upstream_protocol").GetString());
    }

    /// <summary>
    /// Passed through to a native Responses upstream whose first key fails right after the stream opened
    /// (<c>response.failed</c>, <c>server_error</c>): the gateway held the opening back, so it fails over to the second
    /// key and Codex's turn completes on its first request, with no retry of its own.
    /// </summary>
    [Fact]
    public async Task ResponsesFailedRightAfterTheStreamOpened_FailsOverUnseen()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.PatchProviderAsync(GatewayTestBed.OpenAIProvider, new JsonObject
        {
            ["native_endpoints"] = new JsonObject { ["openai-responses"] = new Uri(pool.Upstream.BaseAddress, "v1").ToString() },
        });
        pool.Upstream.ReplyForKey(
            KeyPoolBed.Secret("a"), FakeReply.Status(200, FakeOpenAIResponses.Opening + FakeOpenAIResponses.Failed("server_error"), contentType: "text/event-stream"));
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(pool.Bed.OpenAIBaseUrl, pool.Bed.Key, GatewayTestBed.OpenAIAlias, "Say hello.", home.Path, home.Path);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), run.AgentMessage);
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var log = (await pool.Bed.WaitForLogsAsync(1))[0];
        Assert.False(log.GetProperty("translated").GetBoolean());
        Assert.Equal([502, 200], log.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    [Fact]
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

    /// <summary>
    /// Codex names its session (<c>session-id</c>): both turns of a tool call go to the same key of a round_robin pool, so
    /// the upstream account that cached the first turn's prompt serves the second.
    /// </summary>
    [Fact]
    public async Task ToolTurns_StayOnOneKeyOfARoundRobinPool()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b");
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(pool.Bed.OpenAIBaseUrl, pool.Bed.Key, GatewayTestBed.OpenAIAlias, $"{FakeUpstream.ToolTrigger} exec_command", home.Path, home.Path);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        var keys = pool.TakeKeysSeen();
        Assert.Equal(2, keys.Length);
        Assert.Single(keys.Distinct());
    }
}
