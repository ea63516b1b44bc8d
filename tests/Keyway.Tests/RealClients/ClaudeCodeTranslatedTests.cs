using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Claude Code CLI on an OpenAI-protocol upstream (DeepSeek-style), Keyway translating Messages ⇄ Chat:
/// the pain point of most gateways (PROTOCOL-NOTES item 1) — streams and tool calls must survive.
/// </summary>
public sealed class ClaudeCodeTranslatedTests
{
    private const string FileContent = "translated-file-content-7";

    [Fact]
    public async Task PlainPrompt_ThroughAChatUpstream()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var home = new TempDirectory();

        var (process, result) = await ClaudeCode.RunAsync(bed, "Say hello.", home.Path, home.Path, GatewayTestBed.OpenAIAlias);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        Assert.Equal(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), result.GetProperty("result").GetString());
        Assert.All(bed.Upstream.Requests, upstream => Assert.Equal("/v1/chat/completions", upstream.Path));
        // Claude Code's billing attribution line, different in every conversation, would spoil the upstream's prompt cache.
        Assert.All(bed.Upstream.Requests, upstream => Assert.DoesNotContain(
            "x-anthropic-billing-header", upstream.Json.GetProperty("messages")[0].GetProperty("content").GetString()));
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.True(log.GetProperty("translated").GetBoolean());
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task ReadTool_ThroughAChatUpstream_TheToolResultComesBack()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var home = new TempDirectory();
        using var work = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(work.Path, FakeConversation.ArgumentPlaceholder), FileContent + "\n");

        var (process, result) = await ClaudeCode.RunAsync(bed, $"{FakeUpstream.ToolTrigger} Read", home.Path, work.Path, GatewayTestBed.OpenAIAlias);

        Assert.False(result.GetProperty("is_error").GetBoolean(), process.Transcript);
        var answer = result.GetProperty("result").GetString() ?? "";
        Assert.StartsWith(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel) + " Tool result: ", answer);
        Assert.Contains(FileContent, answer);
        var secondTurn = bed.Upstream.Requests[^1].Json.GetProperty("messages");
        Assert.Contains(secondTurn.EnumerateArray(), message => message.GetProperty("role").GetString() == "tool");
    }
}
