using System.Net.Http.Headers;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

public sealed class GatewayAuthTests
{
    private const string ChatBody = """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""";
    private const string MessagesBody = """{"model":"claude-alias","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task NoKey_Is401_InEachProtocolsShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var openAI = await bed.PostWithAuthAsync("v1/chat/completions", ChatBody, null);
        using var anthropic = await bed.PostWithAuthAsync("v1/messages", MessagesBody, null);

        await GatewayErrorAssert.OpenAIAsync(openAI, 401, "Missing or invalid Authorization header. Use 'Bearer db_sk_...'.");
        await GatewayErrorAssert.AnthropicAsync(anthropic, 401, "authentication_error", "Missing or invalid Authorization header. Use 'Bearer db_sk_...'.");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task XApiKeyHeader_IsAccepted()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostWithAuthAsync("v1/messages", MessagesBody, null, ("x-api-key", bed.Key));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task UnknownKey_Is401()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostWithAuthAsync("v1/chat/completions", ChatBody, new AuthenticationHeaderValue("Bearer", "db_sk_not-a-real-key"));

        await GatewayErrorAssert.OpenAIAsync(response, 401, "Invalid or disabled API key.");
    }

    [Fact]
    public async Task DisabledKey_AndKeyOfDisabledGroup_Are401()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateGroupAsync(bed.Admin, "team");
        var teamKey = await AdminApi.CreateKeyAsync(bed.Admin, "team");
        var keys = await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/keys");
        var keyId = keys.Body.GetProperty("keys")[0].GetProperty("key_id").GetString();

        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/keys/{keyId}", new { enabled = false });
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, "admin/llm/groups/team", new { enabled = false });
        using var disabledKey = await bed.PostAsync("v1/chat/completions", ChatBody);
        using var disabledGroup = await bed.PostWithAuthAsync("v1/chat/completions", ChatBody, new AuthenticationHeaderValue("Bearer", teamKey));

        await GatewayErrorAssert.OpenAIAsync(disabledKey, 401, "Invalid or disabled API key.");
        await GatewayErrorAssert.OpenAIAsync(disabledGroup, 401, "Invalid or disabled API key.");
    }

    [Fact]
    public async Task ExpiredKey_Is401Expired()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var keys = await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/keys");
        var keyId = keys.Body.GetProperty("keys")[0].GetProperty("key_id").GetString();

        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/keys/{keyId}", new { expires_at = "2020-01-01T00:00:00Z" });
        using var response = await bed.PostAsync("v1/chat/completions", ChatBody);

        await GatewayErrorAssert.OpenAIAsync(response, 401, "API key expired.");
    }
}
