using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Exceptions;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Policy;
using OpenAI.Models;

namespace Keyway.Tests.Gateway;

/// <summary>
/// GET /v1/models/{model}: one alias of what /v1/models lists for the key, as OpenAI's Retrieve model
/// (https://platform.openai.com/docs/api-reference/models/retrieve: <c>{"id","object":"model","created","owned_by"}</c>) or,
/// with anthropic-version, Anthropic's Get a Model (https://docs.anthropic.com/en/api/models: <c>{"type":"model","id",
/// "display_name","created_at"}</c>). An alias the key cannot call is answered as the vendors answer a model they do not
/// have: OpenAI's 404 <c>The model 'x' does not exist</c> (<c>model_not_found</c>), Anthropic's 404 <c>not_found_error</c>
/// <c>model: x</c>.
/// </summary>
public sealed class ModelRetrieveTests
{
    [Theory]
    [InlineData("v1/models/")]
    [InlineData("models/")]
    public async Task OpenAIShape_IsTheAliasEntryOfTheList(string prefix)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var listed = (await bed.Client.GetFromJsonAsync<JsonElement>("v1/models")).GetProperty("data")
            .EnumerateArray().Single(model => model.GetProperty("id").GetString() == GatewayTestBed.OpenAIAlias);

        using var response = await bed.Client.GetAsync(prefix + GatewayTestBed.OpenAIAlias);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(listed.GetRawText()), JsonNode.Parse(await response.Content.ReadAsStringAsync())));
    }

    [Fact]
    public async Task AnthropicShape_IsTheAliasEntryOfTheList_WhenTheRequestCarriesAnthropicVersion()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var list = await GetAnthropicAsync(bed.Client, "v1/models");
        var listed = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")
            .EnumerateArray().Single(model => model.GetProperty("id").GetString() == GatewayTestBed.AnthropicAlias);

        using var response = await GetAnthropicAsync(bed.Client, "v1/models/" + GatewayTestBed.AnthropicAlias);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(listed.GetRawText()), JsonNode.Parse(await response.Content.ReadAsStringAsync())));
    }

    /// <summary>Aliases such as <c>openai/gpt-4o</c> hold a slash, sent as is or escaped (<c>%2F</c>, as the SDKs escape a path parameter).</summary>
    [Theory]
    [InlineData("v1/models/openai/gpt-4o")]
    [InlineData("models/openai/gpt-4o")]
    [InlineData("v1/models/openai%2Fgpt-4o")]
    public async Task AnAliasWithASlash_IsFound(string path)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "openai/gpt-4o", GatewayTestBed.OpenAIProvider, "gpt-4o");

        var body = await bed.Client.GetFromJsonAsync<JsonElement>(path);

        Assert.Equal("openai/gpt-4o", body.GetProperty("id").GetString());
        Assert.Equal("model", body.GetProperty("object").GetString());
        Assert.Equal(GatewayTestBed.OpenAIProvider, body.GetProperty("owned_by").GetString());
    }

    [Fact]
    public async Task AnUnknownAlias_Is404_InEachProtocolsWordsForAnUnknownModel()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var openAI = await bed.Client.GetAsync("v1/models/no-such-model");
        using var anthropic = await GetAnthropicAsync(bed.Client, "v1/models/no-such-model");

        await AssertOpenAIModelNotFoundAsync(openAI, "no-such-model");
        await GatewayErrorAssert.AnthropicAsync(anthropic, 404, "not_found_error", "model: no-such-model");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task AnAliasTheKeyMayNotCall_IsAsUnknownAsAnUnknownOne()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var limited = await bed.CreateKeyAsync(new JsonObject { ["allowed_aliases"] = new JsonArray("claude-*") });

        using var refused = await limited.Client.GetAsync("v1/models/" + GatewayTestBed.OpenAIAlias);
        using var anthropic = await GetAnthropicAsync(limited.Client, "v1/models/" + GatewayTestBed.OpenAIAlias);
        using var allowed = await limited.Client.GetAsync("v1/models/" + GatewayTestBed.AnthropicAlias);

        await AssertOpenAIModelNotFoundAsync(refused, GatewayTestBed.OpenAIAlias);
        await GatewayErrorAssert.AnthropicAsync(anthropic, 404, "not_found_error", "model: " + GatewayTestBed.OpenAIAlias);
        Assert.Equal(200, (int)allowed.StatusCode);
    }

    [Fact]
    public async Task AVisitorKey_DoesNotFindARouteClosedToVisitors()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var visitor = await bed.CreateKeyAsync(new JsonObject { ["visitor"] = true });

        using var response = await visitor.Client.GetAsync("v1/models/" + GatewayTestBed.OpenAIAlias);

        await AssertOpenAIModelNotFoundAsync(response, GatewayTestBed.OpenAIAlias);
    }

    [Fact]
    public async Task WithoutAKey_Is401_InTheCallersProtocol()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var openAI = await bed.Server.Http.GetAsync("v1/models/" + GatewayTestBed.OpenAIAlias);
        using var anthropic = await GetAnthropicAsync(bed.Server.Http, "v1/models/" + GatewayTestBed.OpenAIAlias);

        await GatewayErrorAssert.OpenAIAsync(openAI, 401, "Missing or invalid Authorization header. Use 'Bearer db_sk_...'.");
        await GatewayErrorAssert.AnthropicAsync(anthropic, 401, "authentication_error", "Missing or invalid Authorization header. Use 'Bearer db_sk_...'.");
    }

    [Fact]
    public async Task TheOpenAISdk_RetrievesAnAlias_AndGets404ForAnUnknownOne()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "openai/gpt-4o", GatewayTestBed.OpenAIProvider, "gpt-4o");
        var client = new OpenAIModelClient(
            new ApiKeyCredential(bed.Key), new OpenAI.OpenAIClientOptions { Endpoint = bed.OpenAIBaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

        OpenAIModel model = await client.GetModelAsync(GatewayTestBed.OpenAIAlias);
        OpenAIModel slashed = await client.GetModelAsync("openai/gpt-4o");
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => client.GetModelAsync("no-such-model"));

        Assert.Equal(GatewayTestBed.OpenAIAlias, model.Id);
        Assert.Equal(GatewayTestBed.OpenAIProvider, model.OwnedBy);
        Assert.Equal("openai/gpt-4o", slashed.Id);
        Assert.Equal(404, missing.Status);
        Assert.Contains("The model 'no-such-model' does not exist", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAnthropicSdk_RetrievesAnAlias_AndGets404ForAnUnknownOne()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "anthropic/claude", GatewayTestBed.AnthropicProvider, "claude");
        var client = new AnthropicClient { ApiKey = bed.Key, BaseUrl = bed.Server.BaseAddress.ToString(), MaxRetries = 0 };

        var model = await client.Models.Retrieve(GatewayTestBed.AnthropicAlias);
        var slashed = await client.Models.Retrieve("anthropic/claude");
        var missing = await Assert.ThrowsAsync<AnthropicNotFoundException>(() => client.Models.Retrieve("no-such-model"));

        Assert.Equal(GatewayTestBed.AnthropicAlias, model.ID);
        Assert.Equal(GatewayTestBed.AnthropicAlias, model.DisplayName);
        Assert.Equal("anthropic/claude", slashed.ID);
        Assert.Contains("model: no-such-model", missing.Message, StringComparison.Ordinal);
    }

    private static Task AssertOpenAIModelNotFoundAsync(HttpResponseMessage response, string model) =>
        GatewayErrorAssert.OpenAIExactAsync(response, 404, $"The model '{model}' does not exist", "invalid_request_error", "model", "model_not_found");

    private static Task<HttpResponseMessage> GetAnthropicAsync(HttpClient client, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return client.SendAsync(request);
    }
}
