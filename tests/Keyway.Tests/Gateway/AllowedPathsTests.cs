using System.Net;
using System.Text.Json.Nodes;
using Keyway.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>A route's allowed_paths: kept by the admin API, enforced by the gateway with a 403 in the client's protocol.</summary>
public sealed class AllowedPathsTests
{
    [Theory]
    [InlineData("/v1/embeddings", "/v1/embeddings", true)]
    [InlineData("/v1/embeddings", "/v1/embeddings/x", false)]
    [InlineData("/v1/images/*", "/v1/images/generations", true)]
    [InlineData("/v1/images/*", "/v1/images/a/b", false)]
    [InlineData("/v1/vendor/**", "/v1/vendor/a/b", true)]
    [InlineData("/v1/*/completions", "/v1/chat/completions", true)]
    [InlineData("/v1/*/completions", "/v1/completions", false)]
    [InlineData("/v1/Embeddings", "/v1/embeddings", false)]
    public void Glob_MatchesWithinOrAcrossSegments(string pattern, string path, bool matches) =>
        Assert.Equal(matches, PathGlob.Matches(pattern, path));

    [Theory]
    [InlineData("/v1/images/generations", false)]
    [InlineData("/v1/vendor/a.b/..c/.d", false)]
    [InlineData("/v1/files/file-1%20a", false)]
    [InlineData("/v1/images/x%2F..%2F..%2Fchat%2Fcompletions", true)]
    [InlineData("/v1/images/x%2f..", true)]
    [InlineData("/v1/images/x%5C..%5cchat", true)]
    [InlineData("/v1/images/x\\..\\chat", true)]
    [InlineData("/v1/images/%2E%2E/chat/completions", true)]
    [InlineData("/v1/images/.%2e/chat/completions", true)]
    [InlineData("/v1/images/%2e/generations", true)]
    [InlineData("/v1/images/../chat/completions", true)]
    [InlineData("/v1/images/./generations", true)]
    [InlineData("/v1/images/..", true)]
    [InlineData("/v1/images/x?/../../chat/completions", true)]
    [InlineData("/v1/images/x#/../chat/completions", true)]
    public void ForwardedPath_WithAnEncodedSeparatorOrADotSegment_IsAmbiguous(string path, bool ambiguous) =>
        Assert.Equal(ambiguous, ForwardedPath.IsAmbiguous(path));

    /// <summary>
    /// The audit's path: it matches /v1/images/* here, and an upstream that decodes %2F reads it as /v1/chat/completions.
    /// It is refused as an unknown path before allowed_paths are looked at, and never sent.
    /// </summary>
    [Fact]
    public async Task EncodedSeparatorsInAForwardedPath_AreRefused_BeforeAllowedPathsAndTheUpstream()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await RestrictAsync(bed, GatewayTestBed.OpenAIAlias, "/v1/images/*");

        using var slipped = await bed.PostAsync("v1/images/x%2F..%2F..%2Fchat%2Fcompletions", """{"model":"gpt-alias","prompt":"x"}""");

        await GatewayErrorAssert.OpenAIAsync(slipped, 404,
            "Invalid URL (POST /v1/images/x%2F..%2F..%2Fchat%2Fcompletions): Keyway forwards no path with an encoded '/', '\\', '?' or '#', or a '.' or '..' segment, which an upstream could read as another path");
        Assert.Equal(0, bed.Upstream.RequestCount);
    }

    [Fact]
    public async Task RestrictedRoute_ServesItsPaths_AndAnswers403ElsewhereInTheClientsProtocol()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await RestrictAsync(bed, GatewayTestBed.OpenAIAlias, "/v1/embeddings", "/v1/images/*");
        await RestrictAsync(bed, GatewayTestBed.AnthropicAlias, "/v1/messages/count_tokens");

        using var embeddings = await bed.PostAsync("embeddings", """{"model":"gpt-alias","input":"x"}""");
        using var images = await bed.PostAsync("v1/images/generations", """{"model":"gpt-alias","prompt":"x"}""");
        using var chat = await bed.PostAsync("v1/chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""");
        using var messages = await bed.PostAsync("v1/messages", """{"model":"claude-alias","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""",
            ("anthropic-version", "2023-06-01"));

        Assert.Equal(200, (int)embeddings.StatusCode);
        Assert.Equal(200, (int)images.StatusCode);
        await GatewayErrorAssert.OpenAIAsync(chat, 403, "model 'gpt-alias' is not allowed on /v1/chat/completions: the route's allowed_paths do not include it");
        await GatewayErrorAssert.AnthropicAsync(messages, 403, "permission_error",
            "model 'claude-alias' is not allowed on /v1/messages: the route's allowed_paths do not include it");
        Assert.Equal(2, bed.Upstream.RequestCount);
    }

    /// <summary>
    /// A Responses WebSocket to a route not allowed on /v1/responses is refused as POST /v1/responses is: with the alias in
    /// the query the upgrade gets the 403, with the alias in the first response.create an error event does; each refusal
    /// gets its log row, and the upstream is never called.
    /// </summary>
    [Fact]
    public async Task RestrictedRoute_RefusesAResponsesWebSocket_AsItRefusesHttp()
    {
        const string expected = "model 'ws-alias' is not allowed on /v1/responses: the route's allowed_paths do not include it";
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await GatewayTestBed.StartAsync();
        await Infrastructure.WebSocketRoute.AddAsync(bed.Admin, "ws-provider", fake.BaseAddress, websocket: true, "ws-alias", "ws-upstream-model");
        await RestrictAsync(bed, "ws-alias", "/v1/chat/completions");

        var refused = await ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Server, "ws-alias", bed.Key);
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "", bed.Key);
        await ResponsesWebSocketClient.SendAsync(socket, """{"type":"response.create","model":"ws-alias","input":"hi"}""");
        var error = await ResponsesWebSocketClient.ReceiveErrorAsync(socket);
        using var http = await bed.PostAsync("v1/responses", """{"model":"ws-alias","input":"hi"}""");

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal(403, error.GetProperty("status").GetInt32());
        Assert.Equal(expected, error.GetProperty("error").GetProperty("message").GetString());
        await GatewayErrorAssert.OpenAIAsync(http, 403, expected);
        Assert.Empty(fake.Received);
        var rows = await bed.WaitForLogsAsync(3);
        Assert.All(rows, row =>
        {
            Assert.Equal(403, row.GetProperty("status_code").GetInt32());
            Assert.Equal(expected, row.GetProperty("error").GetString());
        });
    }

    [Fact]
    public async Task AdminApi_DefaultsToAll_AndKeepsCreatedAndPatchedGlobs()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var created = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/groups/default/routes", new JsonObject
        {
            ["alias"] = "emb",
            ["provider_id"] = GatewayTestBed.OpenAIProvider,
            ["upstream_model"] = "m",
            ["allowed_paths"] = new JsonArray("/v1/embeddings"),
        });
        var routeId = created.GetProperty("route").GetProperty("route_id").GetString();

        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject { ["note"] = "kept" });
        var kept = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/routes/{routeId}");
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject { ["allowed_paths"] = new JsonArray() });
        var list = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/routes");

        Assert.Equal(["/v1/embeddings"], kept.GetProperty("route").GetProperty("allowed_paths").EnumerateArray().Select(p => p.GetString()));
        var routes = list.GetProperty("routes").EnumerateArray().ToList();
        Assert.All(routes, route => Assert.Equal(0, route.GetProperty("allowed_paths").GetArrayLength()));
    }

    [Theory]
    [InlineData("\"/v1/embeddings\"", "allowed_paths must be an array of at most 64 path globs")]
    [InlineData("[\"v1/embeddings\"]", "allowed_paths: 'v1/embeddings' is not a path glob: it must start with '/' and contain no spaces (e.g. /v1/embeddings, /v1/images/*)")]
    public async Task AdminApi_RejectsWhatIsNotAListOfPathGlobs(string value, string detail)
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var reply = await AdminApi.PostAsync(bed.Admin, "admin/llm/groups/default/routes",
            $$"""{"alias":"emb","provider_id":"{{GatewayTestBed.OpenAIProvider}}","upstream_model":"m","allowed_paths":{{value}}}""");

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, detail, "allowed_paths");
    }

    private static async Task RestrictAsync(GatewayTestBed bed, string alias, params string[] globs)
    {
        var routes = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/routes");
        var routeId = routes.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("alias").GetString() == alias).GetProperty("route_id").GetString();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}",
            new JsonObject { ["allowed_paths"] = new JsonArray(globs.Select(glob => (JsonNode)JsonValue.Create(glob)).ToArray()) });
    }
}
