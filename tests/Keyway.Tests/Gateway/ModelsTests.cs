using System.Net.Http.Json;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

public sealed class ModelsTests
{
    [Fact]
    public async Task OpenAIShape_ListsTheGroupsEnabledAliases()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateGroupAsync(bed.Admin, "team");
        await AdminApi.CreateProviderAsync(bed.Admin, "team", "team-openai", new Uri(bed.Upstream.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(bed.Admin, "team", "team-only", "team-openai", "m");

        var body = await bed.Client.GetFromJsonAsync<JsonElement>("v1/models");

        Assert.Equal("list", body.GetProperty("object").GetString());
        var ids = body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
        Assert.Equal([GatewayTestBed.AnthropicAlias, GatewayTestBed.OpenAIAlias], ids);
        var first = body.GetProperty("data")[0];
        Assert.Equal("model", first.GetProperty("object").GetString());
        Assert.Equal(GatewayTestBed.AnthropicProvider, first.GetProperty("owned_by").GetString());
        Assert.True(first.GetProperty("created").GetInt64() > 1_700_000_000);
    }

    [Fact]
    public async Task AnthropicShape_WhenTheRequestCarriesAnthropicVersion()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Add("anthropic-version", "2023-06-01");

        using var response = await bed.Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        var first = body.GetProperty("data")[0];
        Assert.Equal("model", first.GetProperty("type").GetString());
        Assert.Equal(GatewayTestBed.AnthropicAlias, first.GetProperty("id").GetString());
        Assert.Equal(GatewayTestBed.AnthropicAlias, first.GetProperty("display_name").GetString());
        Assert.True(DateTimeOffset.TryParse(first.GetProperty("created_at").GetString(), out _));
        Assert.False(body.GetProperty("has_more").GetBoolean());
        Assert.Equal(GatewayTestBed.AnthropicAlias, body.GetProperty("first_id").GetString());
        Assert.Equal(GatewayTestBed.OpenAIAlias, body.GetProperty("last_id").GetString());
    }

    [Fact]
    public async Task WithoutAKey_Is401()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Server.Http.GetAsync("models");

        await GatewayErrorAssert.OpenAIAsync(response, 401, "Missing or invalid Authorization header. Use 'Bearer db_sk_...'.");
    }

    [Theory]
    [InlineData("HEAD")]
    [InlineData("GET")]
    public async Task Root_AnswersWithoutAuth_ForReachabilityChecks(string method)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.Server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), ""));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Health_AnswersWithoutAuth()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var body = await bed.Server.Http.GetFromJsonAsync<JsonElement>("health");

        Assert.True(body.GetProperty("ok").GetBoolean());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
    }
}
