using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Configuration;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>
/// What the gateway ends or refuses on its own on a Responses WebSocket, on a fake clock: a socket idle for
/// KEYWAY_WEBSOCKET_IDLE_SECONDS (closed normally, its upstream socket and upstream key's place given back), a socket
/// whose issued key no longer authenticates, idle or not (an error event, then a close), and a key's socket past
/// KEYWAY_WEBSOCKETS_PER_KEY (its upgrade refused as the other WebSocket refusals are).
/// </summary>
public sealed class ResponsesWebSocketWatchdogTests
{
    private const string Alias = "ws-alias";
    private const string Provider = "ws-provider";
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(Alias, 1)]
    [InlineData("", 0)]
    public async Task AnIdleSocket_IsClosedNormallyNamingWhy_AndGivesBackItsUpstreamKeysPlace(string queryAlias, int exchanges)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        var (bed, clock) = await StartAsync(fake);
        await using var _ = bed;
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, queryAlias, bed.Key);
        for (var i = 0; i < exchanges; i++)
        {
            await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);
        }

        clock.Advance(IdleTimeout);

        var closing = await socket.ReceiveAsync(new byte[1024], CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal("idle for 600 s with no response running; reconnect for the next response", socket.CloseStatusDescription);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        using var next = await ConnectOnceThePlaceIsBackAsync(bed);
        Assert.Equal("response.completed", (await ResponsesWebSocketClient.ExchangeAsync(next, Alias)).Last());
    }

    [Theory]
    [InlineData("disabled", Alias)]
    [InlineData("deleted", Alias)]
    [InlineData("group disabled", Alias)]
    [InlineData("disabled", "")]
    public async Task ASocketWhoseKeyNoLongerAuthenticates_GetsA401ErrorEventAndAPolicyClose_IdleOrNot(string change, string queryAlias)
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        var (bed, _) = await StartAsync(fake);
        await using var __ = bed;
        var keyId = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/keys")).GetProperty("keys")[0].GetProperty("key_id").GetString();
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, queryAlias, bed.Key);

        await (change switch
        {
            "disabled" => AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/keys/{keyId}", new JsonObject { ["enabled"] = false }),
            "deleted" => AdminApi.OkAsync(bed.Admin, HttpMethod.Delete, $"admin/llm/keys/{keyId}"),
            _ => AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, "admin/llm/groups/default", new JsonObject { ["enabled"] = false }),
        });

        await AssertEndedByTheKeyAsync(socket, "invalid_api_key");
    }

    [Fact]
    public async Task ASocketWithAResponseRunning_WhenItsKeyExpires_GetsA401ErrorEvent_AndTheResponseA401Row()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        var (bed, clock) = await StartAsync(fake);
        await using var _ = bed;
        var expiring = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", new JsonObject
        {
            ["name"] = "expiring",
            ["expires_at"] = clock.GetUtcNow().AddMinutes(1).ToString("O"),
        });
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, expiring.GetProperty("plaintext").GetString()!);
        await ResponsesWebSocketClient.SendAsync(socket, $$"""{"type":"response.create","model":"{{Alias}}","input":"{{FakeResponsesWebSocket.HoldInput}}"}""");
        var buffer = new byte[64 * 1024];
        var created = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal("response.created", JsonDocument.Parse(buffer.AsMemory(0, created.Count)).RootElement.GetProperty("type").GetString());

        clock.Advance(TimeSpan.FromMinutes(1));

        await AssertEndedByTheKeyAsync(socket, "invalid_api_key");
        var row = Assert.Single(await bed.WaitForLogsAsync(1));
        Assert.Equal(401, row.GetProperty("status_code").GetInt32());
    }

    // The HTTP path fails a stream its upstream stops feeding for the provider's timeout_seconds (504, "did not answer
    // within …", SseRelay); a response on a socket gets the same bound, as an error event
    // (https://platform.openai.com/docs/api-reference/responses/websocket-events: error), and the socket is closed: the
    // upstream could still answer the stalled response later, into the client's next one.
    [Fact]
    public async Task AResponseTheUpstreamStopsFeeding_FailsWithTheHttpTimeout_AndTheSocketIsClosed()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        var (bed, clock) = await StartAsync(fake, timeoutSeconds: 120);
        await using var _ = bed;
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);
        await ResponsesWebSocketClient.SendAsync(socket, $$"""{"type":"response.create","model":"{{Alias}}","input":"{{FakeResponsesWebSocket.HoldInput}}"}""");
        var buffer = new byte[64 * 1024];
        var created = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal("response.created", JsonDocument.Parse(buffer.AsMemory(0, created.Count)).RootElement.GetProperty("type").GetString());

        clock.Advance(TimeSpan.FromSeconds(120));

        var error = await ResponsesWebSocketClient.ReceiveErrorAsync(socket).WaitAsync(Guard);
        Assert.Equal(504, error.GetProperty("status").GetInt32());
        Assert.Equal($"upstream provider '{Provider}' did not answer within 120 s", error.GetProperty("error").GetProperty("message").GetString());
        var closing = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, socket.CloseStatus);
        var row = Assert.Single(await bed.WaitForLogsAsync(1));
        Assert.Equal(504, row.GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task AKeyAtItsSocketCap_IsRefusedTheUpgrade_With429_ARowAndAServerLogLine()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        var log = new CapturedLog();
        var (bed, _) = await StartAsync(fake, services => services.AddSingleton<ILoggerProvider>(log), socketsPerKey: 2);
        await using var _ = bed;
        using var first = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "", bed.Key);
        using var second = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "", bed.Key);

        var refused = await ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Server, Alias, bed.Key);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        var row = Assert.Single(await bed.WaitForLogsAsync(1));
        Assert.Equal(429, row.GetProperty("status_code").GetInt32());
        Assert.Equal(
            "this API key already holds 2 open Responses WebSockets on this gateway (KEYWAY_WEBSOCKETS_PER_KEY); close one, or use POST /v1/responses (HTTP streaming)",
            row.GetProperty("error").GetString());
        Assert.Contains("key " + row.GetProperty("api_key_id").GetString() + " already holds 2 open (KEYWAY_WEBSOCKETS_PER_KEY)", log.Text);
        Assert.Equal(WebSocketState.Open, first.State);
    }

    /// <summary>
    /// A new socket to the route, once the ended one's relay has given back the upstream key's only place (it does so just
    /// after the close handshake, so a connection in between gets the pool's 429).
    /// </summary>
    private static async Task<ClientWebSocket> ConnectOnceThePlaceIsBackAsync(GatewayTestBed bed)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (true)
        {
            try
            {
                return await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);
            }
            catch (WebSocketException) when (!guard.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
            }
        }
    }

    /// <summary>The key's error event, then a 1008 close, as a refusal after the upgrade ends a socket.</summary>
    private static async Task AssertEndedByTheKeyAsync(ClientWebSocket socket, string code)
    {
        var error = await ResponsesWebSocketClient.ReceiveErrorAsync(socket).WaitAsync(Guard);
        var closing = await socket.ReceiveAsync(new byte[1024], CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(401, error.GetProperty("status").GetInt32());
        Assert.Equal(code, error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    /// <summary>A WebSocket route whose provider has one key with one place, on a clock that only moves when told.</summary>
    private static async Task<(GatewayTestBed Bed, FakeTimeProvider Clock)> StartAsync(
        FakeResponsesWebSocket fake, Action<IServiceCollection>? services = null, int socketsPerKey = 16, int? timeoutSeconds = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bed = await GatewayTestBed.StartAsync(
            options => options with { WebSocketIdleTimeout = IdleTimeout, WebSocketsPerKey = socketsPerKey },
            collection =>
            {
                collection.AddSingleton<TimeProvider>(clock);
                services?.Invoke(collection);
            });
        await WebSocketRoute.AddAsync(bed.Admin, Provider, fake.BaseAddress, websocket: true, Alias, "ws-upstream-model");
        var provider = new JsonObject
        {
            ["api_keys"] = new JsonArray(new JsonObject { ["name"] = "a", ["api_key"] = "sk-a", ["max_concurrency"] = 1 }),
        };
        if (timeoutSeconds is { } seconds)
        {
            provider["timeout_seconds"] = seconds;
        }
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{Provider}", provider);
        return (bed, clock);
    }
}
