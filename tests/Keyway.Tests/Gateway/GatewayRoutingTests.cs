using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

public sealed class GatewayRoutingTests
{
    [Fact]
    public async Task UnknownAlias_Is404_NamingOnlyTheCallersGroup()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/chat/completions", """{"model":"nope","messages":[]}""");

        await GatewayErrorAssert.OpenAIAsync(response, 404, "model 'nope' not found in group 'default'");
    }

    [Fact]
    public async Task AliasOfAnotherGroup_IsNotFound()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateGroupAsync(bed.Admin, "team");
        await AdminApi.CreateProviderAsync(bed.Admin, "team", "team-openai", new Uri(bed.Upstream.BaseAddress, "v1").ToString());
        await AdminApi.CreateRouteAsync(bed.Admin, "team", "team-only", "team-openai", "m");

        using var response = await bed.PostAsync("v1/chat/completions", """{"model":"team-only","messages":[]}""");

        await GatewayErrorAssert.OpenAIAsync(response, 404, "model 'team-only' not found in group 'default'");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task DisabledRoute_AndRouteOfDisabledProvider_AreNotFound()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var routes = await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/routes");
        var openAIRoute = routes.Body.GetProperty("routes").EnumerateArray().First(r => r.GetProperty("alias").GetString() == GatewayTestBed.OpenAIAlias);

        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{openAIRoute.GetProperty("route_id").GetString()}", new { enabled = false });
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{GatewayTestBed.AnthropicProvider}", new { enabled = false });
        using var disabledRoute = await bed.PostAsync("v1/chat/completions", """{"model":"gpt-alias","messages":[]}""");
        using var disabledProvider = await bed.PostAsync("v1/messages", """{"model":"claude-alias","max_tokens":8,"messages":[]}""");

        await GatewayErrorAssert.OpenAIAsync(disabledRoute, 404, "model 'gpt-alias' not found in group 'default'");
        await GatewayErrorAssert.AnthropicAsync(disabledProvider, 404, "not_found_error", "model 'claude-alias' not found in group 'default'");
    }

    [Fact]
    public async Task NoTranslationToTheProvidersProtocol_Is404_WithKeywaysText()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateProviderAsync(bed.Admin, "default", "responses-only", new Uri(bed.Upstream.BaseAddress, "v1").ToString(), "openai-responses");
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "resp-alias", "responses-only", "gpt-resp");

        using var openAIClient = await bed.PostAsync("v1/chat/completions", """{"model":"resp-alias","messages":[]}""");
        using var anthropicClient = await bed.PostAsync("v1/messages", """{"model":"resp-alias","max_tokens":8,"messages":[]}""");

        await GatewayErrorAssert.OpenAIAsync(openAIClient, 404, "model 'resp-alias' is bound to openai-responses provider in group 'default', not openai");
        await GatewayErrorAssert.AnthropicAsync(anthropicClient, 404, "not_found_error", "model 'resp-alias' is bound to openai-responses provider in group 'default', not anthropic");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task UntranslatableBody_Is400_InTheCallersShape()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/messages", """{"model":"gpt-alias","max_tokens":8,"messages":"not a list"}""");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("invalid_request_error", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Theory]
    [InlineData("{not json", "Invalid JSON body")]
    [InlineData("[1,2]", "Body must be a JSON object")]
    [InlineData("""{"messages":[]}""", "Missing 'model': a string naming one of your route aliases is required.")]
    [InlineData("""{"model":"gpt-alias","model":"claude-alias","messages":[]}""", "'model' appears more than once in the body: give it once, naming one of your route aliases.")]
    public async Task BadBodies_Are400(string body, string message)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/chat/completions", body);

        await GatewayErrorAssert.OpenAIAsync(response, 400, message);
    }

    [Fact]
    public async Task RepeatedModel_Is400InTheAnthropicShape_OnMessages()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var response = await bed.PostAsync("v1/messages", """{"model":"claude-alias","max_tokens":8,"model":"gpt-alias","messages":[]}""");

        await GatewayErrorAssert.AnthropicAsync(
            response, 400, "invalid_request_error", "'model' appears more than once in the body: give it once, naming one of your route aliases.");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413()
    {
        await using var bed = await GatewayTestBed.StartAsync(options => options with { MaxRequestBodyBytes = 1024 * 1024 });
        var body = $$"""{"model":"gpt-alias","messages":[{"role":"user","content":"{{new string('x', 2 * 1024 * 1024)}}"}]}""";

        // Expect: 100-continue, as curl sends for large bodies: the gateway answers from Content-Length, so the client never
        // starts the upload the server would cut (without it the client could still be writing when the server closed: EPIPE).
        using var response = await bed.PostAsync("v1/chat/completions", body, ("Expect", "100-continue"));

        await GatewayErrorAssert.OpenAIAsync(response, 413, "Request body too large: the limit is 1 MiB.");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task AdminChanges_ReachTheDataPlaneAtOnce()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await AdminApi.CreateRouteAsync(bed.Admin, "default", "fresh-alias", GatewayTestBed.OpenAIProvider, "fresh-model");

        using var response = await bed.PostAsync("v1/chat/completions", """{"model":"fresh-alias","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("fresh-model", bed.Upstream.Last.Model);
    }
}
