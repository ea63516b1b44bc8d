using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// POST /v1/messages/evaluate_safeguards, new in Claude Code 2.1.337: in auto mode it asks the API to run the
/// <c>dangerous_tool_use</c> safeguard on work it is about to do, without a completion (no <c>stream</c>, no
/// <c>max_tokens</c>), and reads <c>safeguard_results</c> from the answer. Claude Code takes a 404 as "not served here"
/// and then makes its own classifier requests (https://code.claude.com/docs/en/auto-mode-classifier-billing); any other
/// error reads as the server refusing the check.
/// </summary>
public sealed class SafeguardsEvaluationTests
{
    private const string Path = "v1/messages/evaluate_safeguards";

    /// <summary>The betas Claude Code 2.1.337 sends on the call (its own beta table, read from the CLI).</summary>
    private const string Betas = "dangerous-tool-use-2026-09-03,auto-mode-classifier-2026-07-16,evaluate-safeguards-2026-11-21-grffcm";

    /// <summary>
    /// The body as Claude Code 2.1.337 builds it: only model, system, tools, messages, metadata, safeguards and subject
    /// (its request builder filters the rest out). The safeguard and subject fields are Anthropic's to read, not Keyway's.
    /// </summary>
    private static string Body(string alias) => """
        {"model":"ALIAS","system":[{"type":"text","text":"You are Claude Code — «auto»."}],
        "tools":[{"name":"Bash","description":"Run a command","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}],
        "messages":[{"role":"user","content":"delete the note"}],
        "metadata":{"user_id":"{\"session_id\":\"s-1\"}"},
        "safeguards":[{"type":"dangerous_tool_use","classifier_context":{"v":1,"permission_mode":"auto","platform":"linux"}}],
        "subject":{"type":"tool_uses","tool_uses":[{"type":"tool_use","id":"toolu_01","name":"Bash","input":{"command":"rm note.txt"}}]}}
        """.Replace("ALIAS", alias, StringComparison.Ordinal);

    [Fact]
    public async Task AnthropicUpstream_EvaluatesIt_AndTheResultsComeBackAsSent()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        const string Results = """{"safeguard_results":[{"type":"dangerous_tool_use","tool_use_id":"toolu_01","outcome":"not_flagged"}]}""";
        bed.Upstream.Enqueue(FakeReply.Status(200, Results));

        using var response = await bed.PostAsync(Path, Body(GatewayTestBed.AnthropicAlias), ("anthropic-version", "2023-06-01"), ("anthropic-beta", Betas));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Results, await response.Content.ReadAsStringAsync());
        var upstream = bed.Upstream.Last;
        Assert.Equal("/v1/messages/evaluate_safeguards", upstream.Path);
        Assert.Equal(GatewayTestBed.AnthropicModel, upstream.Model);
        Assert.Equal(Betas, upstream.Headers["anthropic-beta"]);
        using var sent = JsonDocument.Parse(Body(GatewayTestBed.AnthropicAlias));
        foreach (var field in (string[])["safeguards", "subject", "system", "tools", "messages", "metadata"])
        {
            Assert.Equal(sent.RootElement.GetProperty(field).GetRawText(), upstream.Json.GetProperty(field).GetRawText());
        }
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
        Assert.Equal("anthropic", log.GetProperty("client_protocol").GetString());
    }

    /// <summary>
    /// An upstream that does not evaluate safeguards: an OpenAI-protocol one is not asked (it has no such thing), an
    /// Anthropic-compatible vendor without the path answers 404 or 405. Either way Claude Code gets Anthropic's 404.
    /// </summary>
    [Theory]
    [InlineData(GatewayTestBed.OpenAIAlias, 0)]
    [InlineData(GatewayTestBed.AnthropicAlias, 404)]
    [InlineData(GatewayTestBed.AnthropicAlias, 405)]
    public async Task UpstreamWithoutIt_IsAnthropicsNotFound(string alias, int upstreamStatus)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        if (upstreamStatus != 0)
        {
            bed.Upstream.Enqueue(FakeReply.AnthropicError(upstreamStatus, "not_found_error", "Not Found"));
        }

        using var response = await bed.PostAsync(Path, Body(alias), ("anthropic-version", "2023-06-01"), ("anthropic-beta", Betas));

        await GatewayErrorAssert.AnthropicAsync(response, 404, "not_found_error", $"model '{alias}' has no upstream that evaluates safeguards: /v1/messages/evaluate_safeguards is served by Anthropic-protocol providers that have it");
        Assert.Equal(upstreamStatus == 0 ? 0 : 1, bed.Upstream.RequestCount);
    }
}
