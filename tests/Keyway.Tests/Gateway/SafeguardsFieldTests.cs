using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// Claude Code's server-side auto-mode check on its own <c>/v1/messages</c> calls: a top-level <c>safeguards</c> field
/// (2.1.337 adds <c>classifier_tool_calls</c> to it, under the beta <c>dangerous-tool-use-classifier-tool-calls-2026-11-23</c>),
/// answered in <c>message_delta.delta.safeguard_results</c>
/// (https://code.claude.com/docs/en/auto-mode-classifier-billing). Only Anthropic's API runs the check: a passed-through
/// route carries field, betas and results as they are; a translated one has no such thing to ask for.
/// </summary>
public sealed class SafeguardsFieldTests
{
    private const string Betas = "claude-code-20250219,dangerous-tool-use-2026-10-15,dangerous-tool-use-classifier-tool-calls-2026-11-23,afk-mode-2026-01-31";

    private const string Safeguards =
        """[{"type":"dangerous_tool_use","classifier_context":{"v":1,"permission_mode":"auto"},"classifier_tool_calls":[{"name":"Read","input":{"file_path":"ü.txt"}}]}]""";

    private static string Body(string alias, bool stream) =>
        $$"""{"model":"{{alias}}","max_tokens":64,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"delete the note"}],"safeguards":{{Safeguards}}}""";

    [Fact]
    public async Task PassedThrough_FieldAndBetasReachTheUpstream_AndTheResultsReachClaudeCode()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        const string Results = """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null,"safeguard_results":[{"type":"dangerous_tool_use","tool_use_id":"toolu_01","outcome":"not_flagged"}]},"usage":{"output_tokens":3}}""";
        bed.Upstream.Enqueue(FakeReply.Status(200,
            FakeAnthropicMessages.Opening
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + $"event: message_delta\ndata: {Results}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            contentType: "text/event-stream"));

        using var response = await bed.PostAsync("v1/messages?beta=true", Body(GatewayTestBed.AnthropicAlias, stream: true),
            ("anthropic-version", "2023-06-01"), ("anthropic-beta", Betas));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains($"data: {Results}\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(Safeguards, bed.Upstream.Last.Json.GetProperty("safeguards").GetRawText());
        Assert.Equal(Betas, bed.Upstream.Last.Headers["anthropic-beta"]);
    }

    [Fact]
    public async Task Translated_TheFieldIsNotSentToAChatUpstream()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/messages", Body(GatewayTestBed.OpenAIAlias, stream: false),
            ("anthropic-version", "2023-06-01"), ("anthropic-beta", Betas));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/v1/chat/completions", bed.Upstream.Last.Path);
        Assert.False(bed.Upstream.Last.Json.TryGetProperty("safeguards", out _));
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(answer.RootElement.TryGetProperty("safeguard_results", out _));
    }
}
