using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Policy;

/// <summary>allowed_aliases: exact names and globs; others answer 403 in the caller's protocol; /v1/models lists only what the key may call.</summary>
public sealed class AllowedAliasesTests
{
    [Fact]
    public async Task ExactAlias_OthersAre403InEachProtocolNamingTheAlias()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["allowed_aliases"] = new JsonArray("gpt-alias") });

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        using var openAI = await KeyPolicyBed.ChatAsync(key.Client, GatewayTestBed.AnthropicAlias);
        await GatewayErrorAssert.OpenAIAsync(openAI, 403, "model 'claude-alias' is not allowed for this API key");
        using var anthropic = await KeyPolicyBed.MessagesAsync(key.Client);
        await GatewayErrorAssert.AnthropicAsync(anthropic, 403, "permission_error", "model 'claude-alias' is not allowed for this API key");
        Assert.Equal(1, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task GlobPattern_MatchesAliasesByPrefix()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "gpt-second", GatewayTestBed.OpenAIProvider, "other-model");
        var key = await bed.CreateKeyAsync(new JsonObject { ["allowed_aliases"] = new JsonArray("gpt-*") });

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client, "gpt-alias"));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client, "gpt-second"));
        Assert.Equal(403, await KeyPolicyBed.ChatStatusAsync(key.Client, GatewayTestBed.AnthropicAlias));
    }

    [Fact]
    public async Task ModelsList_ShowsOnlyAllowedAliases_InBothShapes()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var limited = await bed.CreateKeyAsync(new JsonObject { ["allowed_aliases"] = new JsonArray("claude-*") });
        var open = await bed.CreateKeyAsync(new JsonObject(), "open key");

        var openAIList = await limited.Client.GetFromJsonAsync<JsonElement>("v1/models");
        Assert.Equal(["claude-alias"], openAIList.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()));
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var anthropicReply = await limited.Client.SendAsync(request);
        var anthropicList = await anthropicReply.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["claude-alias"], anthropicList.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()));
        Assert.Equal("claude-alias", anthropicList.GetProperty("last_id").GetString());

        var all = await open.Client.GetFromJsonAsync<JsonElement>("v1/models");
        Assert.Equal(2, all.GetProperty("data").GetArrayLength());
    }
}
