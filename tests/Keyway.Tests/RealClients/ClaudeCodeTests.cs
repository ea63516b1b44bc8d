using System.Text.Json;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Claude Code CLI through Keyway to the fake Anthropic upstream: what it prints, what Keyway received
/// from it (path with <c>?beta=true</c>, betas) and what Keyway logged.
/// </summary>
public sealed class ClaudeCodeTests
{
    private const string FileContent = "keyway-file-content-42";

    [Fact]
    public async Task PlainPrompt_AnswersWithTheUpstreamText_AndKeywayLogsTheStream()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var traffic = new KeywayTraffic(bed.Server);
        using var home = new TempDirectory();

        var (process, result) = await ClaudeCode.RunAsync(bed, "Say hello.", home.Path, home.Path);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel), result.GetProperty("result").GetString());
        var message = AssertMessagesCalls(bed, traffic, expected: 1)[0];
        Assert.Equal(message.Headers["anthropic-beta"], bed.Upstream.Last.Headers["anthropic-beta"]);
        Assert.Equal(message.Headers["anthropic-version"], bed.Upstream.Last.Headers["anthropic-version"]);
        var log = (await bed.WaitForLogsAsync(1))[0];
        AssertLogged(log);
        Assert.Equal(FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
        Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
        Assert.StartsWith("claude-cli/", log.GetProperty("user_agent").GetString());
    }

    [Fact]
    public async Task ReadTool_RunsLocally_AndTheFileReachesTheFinalAnswer()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var traffic = new KeywayTraffic(bed.Server);
        using var home = new TempDirectory();
        using var work = new TempDirectory();
        // The fake fills the tool's required file_path with its placeholder; Claude Code resolves it against its working directory.
        await File.WriteAllTextAsync(Path.Combine(work.Path, FakeConversation.ArgumentPlaceholder), FileContent + "\n");

        var (process, result) = await ClaudeCode.RunAsync(bed, $"{FakeUpstream.ToolTrigger} Read", home.Path, work.Path);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        var answer = result.GetProperty("result").GetString() ?? "";
        Assert.StartsWith(FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel) + " Tool result: ", answer);
        Assert.Contains(FileContent, answer);
        AssertMessagesCalls(bed, traffic, expected: 2);
        var toolTurn = bed.Upstream.Requests[0].Body;
        var resultTurn = bed.Upstream.Requests[1].Json.GetProperty("messages");
        Assert.Contains("\"name\":\"Read\"", toolTurn);
        Assert.Contains(resultTurn.EnumerateArray(), turn => turn.GetRawText().Contains("\"tool_result\"") && turn.GetRawText().Contains(FileContent));
        foreach (var log in await bed.WaitForLogsAsync(2))
        {
            AssertLogged(log);
        }
    }

    /// <summary>
    /// The first key's upstream opens its stream and then reports <c>overloaded_error</c>, as Claude does under load: the
    /// gateway held the opening back, so it fails over to the second key and Claude Code prints the answer without ever
    /// seeing the error (which it would otherwise retry with its own back-off, against the same first key).
    /// </summary>
    [Fact]
    public async Task OverloadedRightAfterTheStreamOpened_FailsOverUnseen()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        await pool.SetPoolAsync(GatewayTestBed.AnthropicProvider, "priority", "a", "b");
        const string Overloaded = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.Status(200, FakeAnthropicMessages.Opening + Overloaded, contentType: "text/event-stream"));
        using var home = new TempDirectory();

        var (process, result) = await ClaudeCode.RunAsync(pool.Bed, "Say hello.", home.Path, home.Path);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.AnthropicModel), result.GetProperty("result").GetString());
        Assert.Equal(["a", "b"], pool.TakeKeysSeen());
        var log = (await pool.Bed.WaitForLogsAsync(1))[0];
        AssertLogged(log);
        Assert.Equal([502, 200], log.GetProperty("attempt_log").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));
    }

    /// <summary>
    /// Claude Code names its session (<c>X-Claude-Code-Session-Id</c>): both turns of a tool call go to the same key of a
    /// round_robin pool, so the upstream account that cached the first turn's prompt serves the second.
    /// </summary>
    [Fact]
    public async Task ToolTurns_StayOnOneKeyOfARoundRobinPool()
    {
        await using var pool = await KeyPoolBed.StartAsync("round_robin", "a", "b");
        await pool.SetPoolAsync(GatewayTestBed.AnthropicProvider, "round_robin", "a", "b");
        using var home = new TempDirectory();
        using var work = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(work.Path, FakeConversation.ArgumentPlaceholder), FileContent + "\n");

        var (process, result) = await ClaudeCode.RunAsync(pool.Bed, $"{FakeUpstream.ToolTrigger} Read", home.Path, work.Path);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        var keys = pool.TakeKeysSeen();
        Assert.Equal(2, keys.Length);
        Assert.Single(keys.Distinct());
    }

    /// <summary>
    /// Every Messages call Claude Code made reached Keyway as <c>POST /v1/messages?beta=true</c> with betas and was
    /// answered 200 (a <c>HEAD /</c> reachability check may come first and is not a Messages call).
    /// </summary>
    private static IReadOnlyList<SeenRequest> AssertMessagesCalls(GatewayTestBed bed, KeywayTraffic traffic, int expected)
    {
        var calls = traffic.Requests.Where(seen => seen.Method == "POST").ToList();
        Assert.True(calls.Count == expected, $"expected {expected} POSTs, Keyway saw:\n{traffic.Describe()}");
        Assert.All(calls, call =>
        {
            Assert.Equal("/v1/messages", call.Path);
            Assert.Equal("?beta=true", call.Query);
            Assert.Equal(200, call.Status);
            Assert.Equal($"Bearer {bed.Key}", call.Headers["authorization"]);
            Assert.Contains("claude-code-", call.Headers["anthropic-beta"]);
        });
        Assert.Equal(expected, bed.Upstream.RequestCount);
        Assert.All(bed.Upstream.Requests, upstream =>
        {
            Assert.Equal(GatewayTestBed.AnthropicModel, upstream.Model);
            Assert.Equal(AdminApi.DefaultUpstreamKey, upstream.Headers["x-api-key"]);
        });
        return calls;
    }

    private static void AssertLogged(JsonElement log)
    {
        Assert.Equal(GatewayTestBed.AnthropicAlias, log.GetProperty("route_alias").GetString());
        Assert.Equal(GatewayTestBed.AnthropicProvider, log.GetProperty("provider_id").GetString());
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal("anthropic", log.GetProperty("client_protocol").GetString());
        Assert.True(log.GetProperty("stream").GetBoolean());
    }
}
