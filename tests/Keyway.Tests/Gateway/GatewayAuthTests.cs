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

    /// <summary>
    /// Claude Code sends ANTHROPIC_AUTH_TOKEN as <c>Authorization: Bearer</c> and ANTHROPIC_API_KEY as <c>x-api-key</c>,
    /// both when both are set (it warns of the conflict and sends them anyway), so a vendor key left in the other variable
    /// rides along: the Keyway key is the one used, whichever header carries it, also for its model discovery.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AKeywayKeyBesideAVendorKey_IsUsed_WhicheverHeaderCarriesIt(bool inAuthorization)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        const string vendorKey = "sk-ant-api03-left-over-in-the-environment";
        var (bearer, apiKey) = inAuthorization ? (bed.Key, vendorKey) : (vendorKey, bed.Key);

        using var messages = await bed.PostWithAuthAsync("v1/messages", MessagesBody, new AuthenticationHeaderValue("Bearer", bearer),
            ("x-api-key", apiKey), ("anthropic-version", "2023-06-01"));
        using var models = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        models.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        models.Headers.Add("x-api-key", apiKey);
        using var modelList = await bed.Server.Http.SendAsync(models);

        Assert.Equal(200, (int)messages.StatusCode);
        Assert.Equal(200, (int)modelList.StatusCode);
    }

    /// <summary>Claude Code's apiKeyHelper: one value, sent in both headers.</summary>
    [Fact]
    public async Task TheSameKeyInBothHeaders_IsAccepted()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostWithAuthAsync("v1/messages", MessagesBody, new AuthenticationHeaderValue("Bearer", bed.Key), ("x-api-key", bed.Key));

        Assert.Equal(200, (int)response.StatusCode);
    }

    /// <summary>Two different Keyway keys are two identities (group, limits, log rows): neither is chosen silently.</summary>
    [Fact]
    public async Task TwoDifferentKeywayKeys_Are401NamingBothHeaders()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var otherKey = await AdminApi.CreateKeyAsync(bed.Admin, "default", "second key");
        const string message = "Two different API keys: the Authorization and x-api-key headers each carry a Keyway key. "
            + "Send one of them (Claude Code: set ANTHROPIC_AUTH_TOKEN or ANTHROPIC_API_KEY, not both).";

        using var anthropic = await bed.PostWithAuthAsync("v1/messages", MessagesBody, new AuthenticationHeaderValue("Bearer", bed.Key), ("x-api-key", otherKey));
        using var openAI = await bed.PostWithAuthAsync("v1/chat/completions", ChatBody, new AuthenticationHeaderValue("Bearer", otherKey), ("x-api-key", bed.Key));

        await GatewayErrorAssert.AnthropicAsync(anthropic, 401, "authentication_error", message);
        await GatewayErrorAssert.OpenAIAsync(openAI, 401, message);
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task TwoUnknownKeys_Are401Invalid()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostWithAuthAsync("v1/chat/completions", ChatBody,
            new AuthenticationHeaderValue("Bearer", "db_sk_not-a-real-key"), ("x-api-key", "sk-ant-api03-not-keyway"));

        await GatewayErrorAssert.OpenAIAsync(response, 401, "Invalid or disabled API key.");
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

        await bed.Server.PassExpiryAsync(keyId!);
        using var response = await bed.PostAsync("v1/chat/completions", ChatBody);

        await GatewayErrorAssert.OpenAIAsync(response, 401, "API key expired.");
    }

    [Fact]
    public async Task OneConnection_AnotherKey_IsJudgedByItsOwnHash()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var oneConnection = OneConnectionClient(bed);

        using var valid = await PostChatAsync(oneConnection, bed.Key);
        using var wrongLastCharacter = await PostChatAsync(oneConnection, bed.Key[..^1] + (bed.Key[^1] == 'A' ? 'B' : 'A'));
        using var validAgain = await PostChatAsync(oneConnection, bed.Key);

        Assert.Equal(200, (int)valid.StatusCode);
        await GatewayErrorAssert.OpenAIAsync(wrongLastCharacter, 401, "Invalid or disabled API key.");
        Assert.Equal(200, (int)validAgain.StatusCode);
    }

    [Fact]
    public async Task OneConnection_KeyDisabledBetweenCalls_Is401OnTheNextCall()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var oneConnection = OneConnectionClient(bed);
        var keys = await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/keys");
        var keyId = keys.Body.GetProperty("keys")[0].GetProperty("key_id").GetString();

        using var before = await PostChatAsync(oneConnection, bed.Key);
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/keys/{keyId}", new { enabled = false });
        using var after = await PostChatAsync(oneConnection, bed.Key);

        Assert.Equal(200, (int)before.StatusCode);
        await GatewayErrorAssert.OpenAIAsync(after, 401, "Invalid or disabled API key.");
    }

    /// <summary>Every call over one keep-alive connection, where the gateway remembers the last presented key's hash.</summary>
    private static HttpClient OneConnectionClient(GatewayTestBed bed) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = bed.Server.BaseAddress };

    private static Task<HttpResponseMessage> PostChatAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayTestBed.Json(ChatBody) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request);
    }
}
