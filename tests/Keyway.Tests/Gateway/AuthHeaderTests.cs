using System.Net;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A provider's <c>auth_header</c>: the header that carries its upstream key. The Anthropic endpoints of OpenRouter, GLM,
/// Kimi, MiniMax and Ark document <c>Authorization: Bearer</c> (Claude Code's ANTHROPIC_AUTH_TOKEN; OpenRouter: "ANTHROPIC_API_KEY
/// must be explicitly empty", https://openrouter.ai/docs/guides/coding-agents/claude-code-integration), where Keyway
/// could only send <c>x-api-key</c>, and an <c>Authorization</c> extra header was accepted but never sent.
/// </summary>
public sealed class AuthHeaderTests
{
    private const string ClaudeCodeTurn = $$"""{"model":"{{GatewayTestBed.AnthropicAlias}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task AnAnthropicProviderWithBearer_SendsItsKeyAsBearer_AndNoXApiKey()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var provider = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.AnthropicProvider}",
            new JsonObject { ["auth_header"] = "bearer" });

        using var reply = await bed.PostAsync("v1/messages", ClaudeCodeTurn, ("anthropic-version", "2023-06-01"));

        Assert.Equal("bearer", provider.GetProperty("provider").GetProperty("auth_header").GetString());
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal($"Bearer {AdminApi.DefaultUpstreamKey}", bed.Upstream.Last.Headers["Authorization"]);
        Assert.False(bed.Upstream.Last.Headers.ContainsKey("x-api-key"));
    }

    /// <summary>Azure OpenAI's header; null returns to the protocol's own (Bearer for OpenAI).</summary>
    [Fact]
    public async Task ApiKey_CarriesTheKey_AndNullReturnsToTheProtocolsOwn()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var providerPath = $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}";

        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, providerPath, new JsonObject { ["auth_header"] = "api-key" });
        using (var chat = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }
        var apiKey = bed.Upstream.Last.Headers;
        var cleared = await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, providerPath, new JsonObject { ["auth_header"] = null });
        using (var chat = await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        Assert.Equal(AdminApi.DefaultUpstreamKey, apiKey["api-key"]);
        Assert.False(apiKey.ContainsKey("Authorization"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.GetProperty("provider").GetProperty("auth_header").ValueKind);
        Assert.Equal($"Bearer {AdminApi.DefaultUpstreamKey}", bed.Upstream.Last.Headers["Authorization"]);
    }

    [Fact]
    public async Task AnUnknownAuthHeader_IsRefused()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var refused = await AdminApi.PatchAsync(bed.Admin, $"admin/llm/providers/{GatewayTestBed.AnthropicProvider}",
            new JsonObject { ["auth_header"] = "basic" });

        AdminApi.AssertError(refused, HttpStatusCode.BadRequest, "auth_header must be one of: bearer, x-api-key, api-key", "auth_header");
    }

    /// <summary>The audit's repro: an Authorization extra header was accepted (ok) and silently never sent.</summary>
    [Theory]
    [InlineData("Authorization")]
    [InlineData("x-api-key")]
    [InlineData("API-Key")]
    public async Task AnExtraHeaderCarryingTheKey_IsRefused_PointingToAuthHeader(string name)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var refused = await AdminApi.PatchAsync(bed.Admin, $"admin/llm/providers/{GatewayTestBed.AnthropicProvider}",
            new JsonObject { ["extra_headers"] = new JsonObject { [name] = "Bearer sk-vendor-0123456789" } });

        AdminApi.AssertError(refused, HttpStatusCode.BadRequest,
            $"extra_headers.{name} cannot be set: the upstream key goes in api_key, sent in the provider's auth_header (bearer, x-api-key, api-key)",
            "extra_headers");
    }
}
