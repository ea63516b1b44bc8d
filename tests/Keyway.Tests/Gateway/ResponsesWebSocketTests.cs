using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Gateway;

/// <summary>
/// GET /v1/responses with a WebSocket upgrade, relayed to a WebSocket fake upstream, with the alias in the query or in
/// the first response.create; refusals before the upgrade (HTTP) and after it (an error event, then a close).
/// </summary>
public sealed class ResponsesWebSocketTests
{
    private const string Alias = "ws-alias";
    private const string UpstreamModel = "ws-upstream-model";
    private const string CodexUserAgent = "codex_cli_rs/0.77.0 (Ubuntu 24.4.0; x86_64) xterm-256color";

    [Fact]
    public async Task Relay_CopiesFramesBothWays_RewritesTheModel_AndLogsEachResponse()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket: true);
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);

        var first = await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        var second = await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(["response.created", "response.output_text.delta", "response.completed"], first);
        Assert.Equal(first, second);
        Assert.All(fake.Received, text => Assert.Equal(UpstreamModel, JsonDocument.Parse(text).RootElement.GetProperty("model").GetString()));
        Assert.Equal($"Bearer {AdminApi.DefaultUpstreamKey}", fake.Authorization);
        var logs = await bed.WaitForLogsAsync(2);
        Assert.All(logs, log =>
        {
            Assert.Equal(200, log.GetProperty("status_code").GetInt32());
            Assert.Equal(Alias, log.GetProperty("route_alias").GetString());
            Assert.Equal("/v1/responses", log.GetProperty("endpoint").GetString());
            Assert.Equal(FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
            Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
            Assert.Equal(FakeUpstream.ReasoningTokens, log.GetProperty("reasoning_tokens").GetInt64());
        });
    }

    [Theory]
    [InlineData("responses_websockets=2026-02-06", "responses_websockets=2026-02-06")]
    [InlineData("", null)]
    public async Task Handshake_AppliesTheProvidersExtraHeaders_ByTheHttpRule(string providerBeta, string? expectedBeta)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket: true);
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, "admin/llm/providers/ws-provider", new JsonObject
        {
            ["extra_headers"] = new JsonObject { ["OpenAI-Beta"] = providerBeta },
        });
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key, ("OpenAI-Beta", "responses_websockets=client"));

        await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(expectedBeta, fake.Headers.GetValueOrDefault("OpenAI-Beta"));
        Assert.Equal($"Bearer {AdminApi.DefaultUpstreamKey}", fake.Authorization);
    }

    /// <summary>
    /// The handshake carries the upstream key in the provider's auth_header, as an HTTP call does (Azure OpenAI takes
    /// <c>api-key</c>); it always sent <c>Authorization: Bearer</c>, so such a provider refused every socket.
    /// </summary>
    [Theory]
    [InlineData(null, "Authorization", "Bearer ")]
    [InlineData("bearer", "Authorization", "Bearer ")]
    [InlineData("x-api-key", "x-api-key", "")]
    [InlineData("api-key", "api-key", "")]
    public async Task Handshake_CarriesTheKeyInTheProvidersAuthHeader(string? authHeader, string expectedName, string valuePrefix)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket: true);
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, "admin/llm/providers/ws-provider", new JsonObject { ["auth_header"] = authHeader });
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);

        await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(valuePrefix + AdminApi.DefaultUpstreamKey, fake.Headers.GetValueOrDefault(expectedName));
        string[] keyHeaders = ["Authorization", "x-api-key", "api-key"];
        Assert.All(keyHeaders.Where(name => name != expectedName), name => Assert.False(fake.Headers.ContainsKey(name), name));
    }

    [Theory]
    [InlineData(null, CodexUserAgent)]
    [InlineData("keyway-provider/1", "keyway-provider/1")]
    [InlineData("", null)]
    public async Task Handshake_ForwardsTheClientsUserAgent_AsAnHttpCallDoes_UnlessTheProviderSetsIt(string? providerAgent, string? expectedAgent)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket: true);
        if (providerAgent is not null)
        {
            await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, "admin/llm/providers/ws-provider", new JsonObject
            {
                ["extra_headers"] = new JsonObject { ["User-Agent"] = providerAgent },
            });
        }
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key, ("User-Agent", CodexUserAgent));

        await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(expectedAgent, fake.Headers.GetValueOrDefault("User-Agent"));
    }

    /// <summary>A route's defaults apply to each response.create, except the temperature OpenAI's reasoning models refuse.</summary>
    [Theory]
    [InlineData(UpstreamModel, 0.25)]
    [InlineData("o3", null)]
    public async Task RouteDefaults_ApplyToEachResponse_WithoutTemperatureForAReasoningModel(string upstreamModel, double? temperature)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await GatewayTestBed.StartAsync();
        await WebSocketRoute.AddAsync(bed.Admin, "ws-provider", fake.BaseAddress, websocket: true, Alias, upstreamModel);
        var routeId = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/routes")).GetProperty("routes").EnumerateArray()
            .Single(route => route.GetProperty("alias").GetString() == Alias).GetProperty("route_id").GetString();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/routes/{routeId}", new JsonObject
        {
            ["default_reasoning_effort"] = "low",
            ["default_temperature"] = 0.25,
        });
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);

        await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        var sent = JsonDocument.Parse(Assert.Single(fake.Received)).RootElement;
        Assert.Equal("low", sent.GetProperty("reasoning").GetProperty("effort").GetString());
        Assert.Equal(temperature, sent.TryGetProperty("temperature", out var sentTemperature) ? sentTemperature.GetDouble() : null);
    }

    [Theory]
    [InlineData(false, Alias, true, HttpStatusCode.BadRequest)]
    [InlineData(true, "unknown-alias", true, HttpStatusCode.NotFound)]
    [InlineData(true, Alias, false, HttpStatusCode.Unauthorized)]
    [InlineData(false, "", true, HttpStatusCode.BadRequest)]
    public async Task Refusals_AreHttpErrorsBeforeTheUpgrade(bool websocket, string alias, bool validKey, HttpStatusCode expected)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket);

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ResponsesWebSocketClient.ConnectAsync(bed.Server, alias, validKey ? bed.Key : "db_sk_wrong"));

        Assert.Contains(((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Received);
    }

    [Fact]
    public async Task FirstFrameRouting_WithoutQuery_RelaysEachResponse_AndLogsItsUsage()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket: true);
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "", bed.Key);

        var first = await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        var second = await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(["response.created", "response.output_text.delta", "response.completed"], first);
        Assert.Equal(first, second);
        Assert.Equal(2, fake.Received.Count);
        Assert.All(fake.Received, text => Assert.Equal(UpstreamModel, JsonDocument.Parse(text).RootElement.GetProperty("model").GetString()));
        var logs = await bed.WaitForLogsAsync(2);
        Assert.All(logs, log =>
        {
            Assert.Equal(200, log.GetProperty("status_code").GetInt32());
            Assert.Equal(Alias, log.GetProperty("route_alias").GetString());
            Assert.Equal(FakeUpstream.PromptTokens, log.GetProperty("input_tokens").GetInt64());
            Assert.Equal(FakeUpstream.CompletionTokens, log.GetProperty("output_tokens").GetInt64());
        });
    }

    /// <summary>
    /// Each refusal after authentication gets its log row, as an HTTP refusal does: its status and error, the issued key,
    /// and the alias once it is resolved (an unknown alias is not, as over HTTP).
    /// </summary>
    [Theory]
    [InlineData(true, "unknown-alias", 404, null, "unknown-alias")]
    [InlineData(false, Alias, 400, Alias, "serves WebSocket")]
    [InlineData(false, "", 400, null, "WebSocket")]
    public async Task RefusalsBeforeTheUpgrade_GetALogRow(bool websocket, string alias, int status, string? loggedAlias, string messagePart)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket);

        await Assert.ThrowsAsync<WebSocketException>(() => ResponsesWebSocketClient.ConnectAsync(bed.Server, alias, bed.Key));

        AssertRefusalRow(Assert.Single(await bed.WaitForLogsAsync(1)), status, loggedAlias, messagePart);
    }

    [Theory]
    [InlineData("not json", 400, WebSocketCloseStatus.PolicyViolation, "first message", null)]
    [InlineData("""{"type":"response.create","input":"hi"}""", 400, WebSocketCloseStatus.PolicyViolation, "first message", null)]
    [InlineData("""{"type":"response.create","model":"unknown-alias","input":"hi"}""", 404, WebSocketCloseStatus.PolicyViolation, "unknown-alias", null)]
    [InlineData("""{"type":"response.create","model":"gpt-alias","input":"hi"}""", 400, WebSocketCloseStatus.PolicyViolation, "serves WebSocket", "gpt-alias")]
    [InlineData("""{"type":"response.create","model":"ws-refused","input":"hi"}""", 502, WebSocketCloseStatus.InternalServerError, "refused the WebSocket", "ws-refused")]
    public async Task FirstFrameRefusals_AreAnErrorEventThenAClose_AndALogRow(
        string firstFrame, int status, WebSocketCloseStatus close, string messagePart, string? loggedAlias)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket: true);
        // a WebSocket provider whose upstream refuses the handshake: the HTTP fake has no GET /v1/responses
        await WebSocketRoute.AddAsync(bed.Admin, "ws-refusing", bed.Upstream.BaseAddress, websocket: true, "ws-refused", UpstreamModel);
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "", bed.Key);

        await ResponsesWebSocketClient.SendAsync(socket, firstFrame);
        var error = await ResponsesWebSocketClient.ReceiveErrorAsync(socket);
        var closing = await socket.ReceiveAsync(new byte[1024], CancellationToken.None);

        Assert.Equal(status, error.GetProperty("status").GetInt32());
        Assert.Contains(messagePart, error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(close, socket.CloseStatus);
        Assert.Empty(fake.Received);
        AssertRefusalRow(Assert.Single(await bed.WaitForLogsAsync(1)), status, loggedAlias, messagePart);
    }

    private static void AssertRefusalRow(JsonElement log, int status, string? alias, string messagePart)
    {
        Assert.Equal(status, log.GetProperty("status_code").GetInt32());
        Assert.Equal(alias, log.GetProperty("route_alias").GetString());
        Assert.False(string.IsNullOrEmpty(log.GetProperty("api_key_id").GetString()));
        Assert.Contains(messagePart, log.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("/v1/responses", log.GetProperty("endpoint").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnotherAlias_IsAnsweredWithAnErrorEvent_AndNotForwarded(bool aliasInQuery)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket: true);
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, aliasInQuery ? Alias : "", bed.Key);

        await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        await ResponsesWebSocketClient.SendAsync(socket, $$"""{"type":"response.create","model":"{{GatewayTestBed.OpenAIAlias}}","input":"hi"}""");
        var error = await ResponsesWebSocketClient.ReceiveErrorAsync(socket);
        var after = await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Contains($"'{Alias}'", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("response.completed", after.Last());
        Assert.Equal(2, fake.Received.Count);
        Assert.All(fake.Received, text => Assert.Equal(UpstreamModel, JsonDocument.Parse(text).RootElement.GetProperty("model").GetString()));
    }

    [Fact]
    public async Task PlainGet_IsAnOpenAIErrorNamingTheUpgrade()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake, websocket: true);

        using var response = await bed.Client.GetAsync("v1/responses");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("WebSocket upgrade", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_AllowsTheFlagOnlyOnResponsesProviders()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var reply = await AdminApi.PatchAsync(bed.Admin, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}", new JsonObject { ["websocket"] = true });

        AdminApi.AssertError(reply, HttpStatusCode.BadRequest,
            "websocket needs protocol openai-responses: the WebSocket mode is part of the Responses API", "websocket");
    }

    private static async Task<GatewayTestBed> StartAsync(FakeResponsesWebSocket fake, bool websocket)
    {
        var bed = await GatewayTestBed.StartAsync();
        await WebSocketRoute.AddAsync(bed.Admin, "ws-provider", fake.BaseAddress, websocket, Alias, UpstreamModel);
        return bed;
    }
}
