using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>
/// A stream the gateway ends itself, after its first byte, because the upstream broke off (502) or went silent past
/// the provider's timeout (504): the client reads the same error kind whether its stream was passed through or
/// translated, in its protocol's own vocabulary — OpenAI <c>error.type</c> <c>server_error</c>
/// (https://platform.openai.com/docs/guides/error-codes), Responses <c>response.failed</c> with <c>error.code</c>
/// <c>server_error</c> (https://platform.openai.com/docs/api-reference/responses/object#responses/object-error),
/// Anthropic <c>api_error</c> for 500-class failures and <c>timeout_error</c> for 504 (https://docs.anthropic.com/en/api/errors).
/// </summary>
public sealed class GatewayEndedStreamTests
{
    private const string ChatPath = "v1/chat/completions";
    private const string MessagesPath = "v1/messages";
    private const string ResponsesPath = "v1/responses";

    [Theory]
    [InlineData(ChatPath, GatewayTestBed.OpenAIAlias, "server_error")]
    [InlineData(ChatPath, GatewayTestBed.AnthropicAlias, "server_error")]
    [InlineData(MessagesPath, GatewayTestBed.AnthropicAlias, "api_error")]
    [InlineData(MessagesPath, GatewayTestBed.OpenAIAlias, "api_error")]
    [InlineData(ResponsesPath, GatewayTestBed.OpenAIAlias, "server_error")]
    [InlineData(ResponsesPath, GatewayTestBed.AnthropicAlias, "server_error")]
    public async Task UpstreamBreakingOffMidStream_IsTheSameErrorOnEveryRoute(string path, string alias, string expectedKind)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        bed.Upstream.Enqueue(FakeReply.StreamThenDrop(eventsBeforeDrop: FakeAnthropicMessages.OpeningEvents + 1));

        Assert.Equal(expectedKind, await LastErrorKindAsync(bed, path, alias));
    }

    [Theory]
    [InlineData(ChatPath, GatewayTestBed.AnthropicAlias, "server_error")]
    [InlineData(MessagesPath, GatewayTestBed.AnthropicAlias, "timeout_error")]
    [InlineData(MessagesPath, GatewayTestBed.OpenAIAlias, "timeout_error")]
    public async Task UpstreamSilentPastItsTimeoutMidStream_IsTheSameErrorOnEveryRoute(string path, string alias, string expectedKind)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        foreach (var provider in new[] { GatewayTestBed.OpenAIProvider, GatewayTestBed.AnthropicProvider })
        {
            await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{provider}", new { timeout_seconds = 1 });
        }
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: FakeAnthropicMessages.OpeningEvents + 1));

        Assert.Equal(expectedKind, await LastErrorKindAsync(bed, path, alias));
    }

    /// <summary>The error kind of the stream's error event: <c>error.type</c>, or a Responses failure's <c>error.code</c>.</summary>
    private static async Task<string?> LastErrorKindAsync(GatewayTestBed bed, string path, string alias)
    {
        using var response = await bed.PostAsync(path, RequestBody(path, alias), ("anthropic-version", "2023-06-01"));
        Assert.Equal(200, (int)response.StatusCode);
        var events = await response.Content.ReadAsStringAsync();
        var error = events.Split("\n")
            .Where(line => line.StartsWith("data: {", StringComparison.Ordinal))
            .Select(line => JsonNode.Parse(line["data: ".Length..])!)
            .Last(data => data["error"] is not null || data["response"]?["error"] is JsonObject);
        return path == ResponsesPath
            ? error["response"]!["error"]!["code"]!.GetValue<string>()
            : error["error"]!["type"]!.GetValue<string>();
    }

    private static string RequestBody(string path, string alias) => path switch
    {
        ResponsesPath => $$"""{"model":"{{alias}}","stream":true,"input":"hi"}""",
        MessagesPath => $$"""{"model":"{{alias}}","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""",
        _ => $$"""{"model":"{{alias}}","stream":true,"messages":[{"role":"user","content":"hi"}]}""",
    };
}
