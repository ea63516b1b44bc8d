using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Policy;

/// <summary>
/// Each response.create on a Responses WebSocket passes the key's policy as an HTTP request does: rpm, tpm, budgets, the
/// allowed aliases of the key as it is now, and a revoked key. A refusal is one error event; the socket stays open.
/// </summary>
public sealed class WebSocketPolicyTests
{
    private const string Alias = "ws-alias";

    [Theory]
    [InlineData("rpm", "Rate limit reached for requests: this API key may send 1 requests per minute. Please try again in 60s.", "rate_limit_exceeded", "60")]
    [InlineData("tpm", "Rate limit reached for tokens: this API key may use 1 tokens per minute. Please try again in 60s.", "rate_limit_exceeded", "60")]
    [InlineData("daily_token_budget", "The daily token budget of this API key (1 tokens) is spent; it resets at 2030-02-01T00:00:00Z.", "insufficient_quota", "120")]
    public async Task SecondResponse_OverTheLimit_IsAnErrorEventWithTheRetryAfterHttpSends_AndTheSocketStaysOpen(string limit, string message, string code, string retryAfter)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake);
        var key = await bed.CreateKeyAsync(new JsonObject { [limit] = 1 });
        using var socket = await ConnectAsync(bed, key);

        Assert.Equal("response.completed", (await ResponsesWebSocketClient.ExchangeAsync(socket, Alias)).Last());
        await ResponsesWebSocketClient.SendAsync(socket, CreateEvent);
        var error = await ResponsesWebSocketClient.ReceiveErrorAsync(socket);

        Assert.Equal(429, error.GetProperty("status").GetInt32());
        Assert.Equal(message, error.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(code, error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(retryAfter, error.GetProperty("headers").GetProperty("retry-after").GetString());
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Single(fake.Received);
        var logs = await bed.Bed.WaitForLogsAsync(2);
        Assert.Equal([200, 429], logs.Select(log => log.GetProperty("status_code").GetInt32()).Order());
    }

    [Fact]
    public async Task WebSocketResponses_AndHttpRequests_ShareTheKeysRpm()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake);
        var key = await bed.CreateKeyAsync(new JsonObject { ["rpm"] = 2 });
        using var socket = await ConnectAsync(bed, key);

        await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        await ResponsesWebSocketClient.SendAsync(socket, CreateEvent);

        Assert.Equal(429, (await ResponsesWebSocketClient.ReceiveErrorAsync(socket)).GetProperty("status").GetInt32());
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(key.Client));
    }

    [Fact]
    public async Task MaxConcurrency_CountsHttpStreamsAndWebSocketResponses_Together()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake);
        var key = await bed.CreateKeyAsync(new JsonObject { ["max_concurrency"] = 1 });
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(FakeOpenAIChat.OpeningChunks + 1));
        using var socket = await ConnectAsync(bed, key);

        var held = await KeyPolicyBed.ChatAsync(key.Client, stream: true);
        await ResponsesWebSocketClient.SendAsync(socket, CreateEvent);
        var busy = await ResponsesWebSocketClient.ReceiveErrorAsync(socket);
        held.Dispose();
        await bed.WaitForRequestsAsync(2);

        Assert.Equal(429, busy.GetProperty("status").GetInt32());
        Assert.Equal("Too many concurrent requests: this API key may have 1 requests in flight. Please try again when one has finished.",
            busy.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("response.completed", (await ResponsesWebSocketClient.ExchangeAsync(socket, Alias)).Last());
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
    }

    [Fact]
    public async Task KeyChangedWhileTheSocketIsOpen_AppliesToItsNextResponse()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake);
        var key = await bed.CreateKeyAsync(new JsonObject());
        using var socket = await ConnectAsync(bed, key);
        await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);

        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/keys/{key.KeyId}", new JsonObject { ["allowed_aliases"] = new JsonArray("other-*") });
        await ResponsesWebSocketClient.SendAsync(socket, CreateEvent);
        var notAllowed = await ResponsesWebSocketClient.ReceiveErrorAsync(socket);
        await AdminApi.DeleteAsync(bed.Admin, $"admin/llm/keys/{key.KeyId}");
        await ResponsesWebSocketClient.SendAsync(socket, CreateEvent);
        var revoked = await ResponsesWebSocketClient.ReceiveErrorAsync(socket);

        Assert.Equal(403, notAllowed.GetProperty("status").GetInt32());
        Assert.Equal($"model '{Alias}' is not allowed for this API key", notAllowed.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(401, revoked.GetProperty("status").GetInt32());
        Assert.Equal("invalid_api_key", revoked.GetProperty("error").GetProperty("code").GetString());
        Assert.Single(fake.Received);
    }

    [Fact]
    public async Task ResponseCreate_WithoutAModel_IsCountedAndGetsTheConnectionsModel()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake);
        var key = await bed.CreateKeyAsync(new JsonObject { ["rpm"] = 1 });
        using var socket = await ConnectAsync(bed, key);

        await ResponsesWebSocketClient.SendAsync(socket, """{"type":"response.create","input":"hi"}""");
        await ResponsesWebSocketClient.ReceiveUntilCompletedAsync(socket);
        await ResponsesWebSocketClient.SendAsync(socket, """{"type":"response.create","input":"hi"}""");

        Assert.Equal(429, (await ResponsesWebSocketClient.ReceiveErrorAsync(socket)).GetProperty("status").GetInt32());
        Assert.Equal("ws-upstream-model", System.Text.Json.JsonDocument.Parse(Assert.Single(fake.Received)).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ASpentBudget_RefusesTheUpgrade_With429AndTheRetryAfterHttpSends()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartAsync(fake);
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1 });
        using (var socket = await ConnectAsync(bed, key))
        {
            await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var refused = await ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Bed.Server, Alias, key.Plaintext);
        using var http = await key.Client.PostAsync("v1/responses", GatewayTestBed.Json($$"""{"model":"{{Alias}}","input":"hi"}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        // The budget resets at midnight, two minutes after the bed's clock.
        Assert.Equal(["120"], refused.Headers.GetValueOrDefault("Retry-After"));
        Assert.Equal(http.StatusCode, refused.Status);
        Assert.Equal(http.Headers.GetValues("Retry-After"), refused.Headers.GetValueOrDefault("Retry-After"));
    }

    private const string CreateEvent = $$"""{"type":"response.create","model":"{{Alias}}","input":"hi"}""";

    private static async Task<KeyPolicyBed> StartAsync(FakeResponsesWebSocket fake)
    {
        var bed = await KeyPolicyBed.StartAsync();
        await WebSocketRoute.AddAsync(bed.Admin, "ws-provider", fake.BaseAddress, websocket: true, Alias, "ws-upstream-model");
        return bed;
    }

    private static Task<ClientWebSocket> ConnectAsync(KeyPolicyBed bed, IssuedKey key) =>
        ResponsesWebSocketClient.ConnectAsync(bed.Bed.Server, Alias, key.Plaintext);
}
