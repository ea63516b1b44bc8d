using System.Net;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// Claude Code and Codex, translated, on Chat servers that refuse what they do not take (<see cref="FakeStrictChat"/>):
/// Claude Code's long <c>metadata.user_id</c> on OpenAI, Codex's developer messages on a Qwen model.
/// </summary>
public sealed class StrictChatUpstreamTests
{
    /// <summary>Claude Code's <c>metadata.user_id</c>: its device hash, account and session ids, 159 characters.</summary>
    private const string ClaudeCodeUserId =
        "user_4f1c0e0a9d3b7c2e8a6f5d4c3b2a1908f7e6d5c4b3a291807f6e5d4c3b2a1908_account_3d6f1a2b-8c4e-4f5a-9b7c-1e2d3f4a5b6c_session_9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

    [Fact]
    public async Task AnthropicClient_WithClaudeCodesUserId_IsAnswered_UnderOpenAIsUserLimit()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("/v1/messages", $$"""
            {"model":"{{GatewayTestBed.OpenAIAlias}}","max_tokens":256,"metadata":{"user_id":"{{ClaudeCodeUserId}}"},
             "messages":[{"role":"user","content":"hi"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = bed.Upstream.Last.Json.GetProperty("user").GetString()!;
        Assert.Equal(64, user.Length);
        Assert.StartsWith(ClaudeCodeUserId[..55], user, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponsesClient_WithDeveloperMessages_OnAQwenModel_IsAnswered_WithOneLeadingSystemMessage()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "qwen-alias", GatewayTestBed.OpenAIProvider, "qwen3-coder-plus");

        // Codex's shape: instructions, a developer message with its permissions, the user's turn, and a later developer
        // message (a change of approval mode) before the next turn.
        using var response = await bed.PostAsync("/v1/responses", """
            {"model":"qwen-alias","instructions":"You are Codex.","input":[
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"Approval policy: on-request."}]},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"list the files"}]},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Here they are."}]},
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"Approval policy: never."}]},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"delete the logs"}]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = bed.Upstream.Last.Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["system", "user", "assistant", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(
            "You are Codex.\n\nApproval policy: on-request.\n\nApproval policy: never.", messages[0].GetProperty("content").GetString());
    }
}
