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

    /// <summary>
    /// Anthropic's List Models pages (https://docs.anthropic.com/en/api/models-list): <c>limit</c> items immediately
    /// after <c>after_id</c> or before <c>before_id</c>, <c>has_more</c> for more in that direction, <c>first_id</c> and
    /// <c>last_id</c> as the cursors of the neighbouring pages. The bed's two aliases plus m1…m3 make five, in alias order.
    /// </summary>
    [Theory]
    [InlineData("limit=2", "claude-alias,gpt-alias", true)]
    [InlineData("limit=2&after_id=gpt-alias", "m1,m2", true)]
    [InlineData("limit=2&after_id=m2", "m3", false)]
    [InlineData("limit=2&before_id=m3", "m1,m2", true)]
    [InlineData("limit=2&before_id=gpt-alias", "claude-alias", false)]
    [InlineData("after_id=m3", "", false)]
    [InlineData("", "claude-alias,gpt-alias,m1,m2,m3", false)]
    public async Task AnthropicShape_PagesByLimitAfterIdAndBeforeId(string query, string ids, bool hasMore)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        foreach (var alias in (string[])["m3", "m1", "m2"])
        {
            await AdminApi.CreateRouteAsync(bed.Admin, "default", alias, GatewayTestBed.OpenAIProvider, "m");
        }

        using var response = await GetAnthropicModelsAsync(bed, query);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(200, (int)response.StatusCode);
        var page = body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(ids, string.Join(',', page));
        Assert.Equal(hasMore, body.GetProperty("has_more").GetBoolean());
        Assert.Equal(page.FirstOrDefault(), body.GetProperty("first_id").GetString());
        Assert.Equal(page.LastOrDefault(), body.GetProperty("last_id").GetString());
    }

    [Theory]
    [InlineData("limit=0", "limit: Input should be greater than or equal to 1")]
    [InlineData("limit=1001", "limit: Input should be less than or equal to 1000")]
    [InlineData("limit=ten", "limit: Input should be a valid integer")]
    public async Task AnthropicShape_LimitOutOfRange_Is400InAnthropicsShape(string query, string message)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await GetAnthropicModelsAsync(bed, query);

        await GatewayErrorAssert.AnthropicAsync(response, 400, "invalid_request_error", message);
    }

    [Fact]
    public async Task OpenAIShape_HasNoPaging_AndListsEverything()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var body = await bed.Client.GetFromJsonAsync<JsonElement>("v1/models?limit=1");

        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
    }

    private static Task<HttpResponseMessage> GetAnthropicModelsAsync(GatewayTestBed bed, string query)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"v1/models?{query}");
        request.Headers.Add("anthropic-version", "2023-06-01");
        return bed.Client.SendAsync(request);
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
