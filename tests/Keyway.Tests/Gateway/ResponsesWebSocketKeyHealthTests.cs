using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A relayed Responses WebSocket reports its upstream key's outcomes to the key pool as an HTTP attempt does: a key the
/// upstream refuses at the handshake cools down and the next key of the pool is tried, a response the upstream stops
/// feeding counts against the key, and a completed response clears the key's failures.
/// </summary>
public sealed class ResponsesWebSocketKeyHealthTests
{
    private const string Alias = "ws-alias";
    private const string Provider = "ws-provider";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task AKeyRefusedAtTheHandshake_IsCooled_AndTheSocketOpensWithTheNextKey()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        fake.RefusedKeys["sk-a"] = true;
        var (bed, _) = await StartAsync(fake, "a", "b");
        await using var _ = bed;

        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);
        var events = await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);

        Assert.Equal("response.completed", events[^1]);
        Assert.Equal(["Bearer sk-a", "Bearer sk-b"], fake.Upgrades);
        var refused = await KeyHealthAsync(bed, "a");
        Assert.Equal("cooling", refused.GetProperty("state").GetString());
        Assert.Equal(401, refused.GetProperty("last_status").GetInt32());
        Assert.Equal("ok", (await KeyHealthAsync(bed, "b")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task EveryKeyRefusedAtTheHandshake_Is502_WithEachKeyTriedOnce()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        fake.RefusedKeys["sk-a"] = true;
        fake.RefusedKeys["sk-b"] = true;
        var (bed, _) = await StartAsync(fake, "a", "b");
        await using var _ = bed;

        var refused = await ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Server, Alias, bed.Key);

        Assert.Equal(HttpStatusCode.BadGateway, refused.Status);
        Assert.Equal(["Bearer sk-a", "Bearer sk-b"], fake.Upgrades);
        Assert.Equal("cooling", (await KeyHealthAsync(bed, "a")).GetProperty("state").GetString());
        Assert.Equal("cooling", (await KeyHealthAsync(bed, "b")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AStalledResponse_CountsAgainstTheKey_AndACompletedOne_ClearsIt()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        var (bed, clock) = await StartAsync(fake, "a");
        await using var _ = bed;
        using (var stalled = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key))
        {
            await ResponsesWebSocketClient.SendAsync(stalled, $$"""{"type":"response.create","model":"{{Alias}}","input":"{{FakeResponsesWebSocket.HoldInput}}"}""");
            var buffer = new byte[64 * 1024];
            await stalled.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Guard);
            clock.Advance(TimeSpan.FromSeconds(120));
            Assert.Equal(504, (await ResponsesWebSocketClient.ReceiveErrorAsync(stalled).WaitAsync(Guard)).GetProperty("status").GetInt32());
        }
        var afterStall = await KeyHealthAsync(bed, "a");
        Assert.Equal(1, afterStall.GetProperty("consecutive_failures").GetInt32());
        Assert.Equal(504, afterStall.GetProperty("last_status").GetInt32());

        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);
        await ResponsesWebSocketClient.ExchangeAsync(socket, Alias);

        Assert.Equal(0, (await KeyHealthAsync(bed, "a")).GetProperty("consecutive_failures").GetInt32());
    }

    [Fact]
    public async Task AnErrorEventRefusingTheKey_CoolsIt_AsA401AnswerDoes()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        var (bed, _) = await StartAsync(fake, "a");
        await using var _ = bed;
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key);

        await ResponsesWebSocketClient.SendAsync(socket, $$"""{"type":"response.create","model":"{{Alias}}","input":"{{FakeResponsesWebSocket.EchoKeyInput}}"}""");
        await socket.ReceiveAsync(new byte[64 * 1024], CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(401, (await ResponsesWebSocketClient.ReceiveErrorAsync(socket).WaitAsync(Guard)).GetProperty("status").GetInt32());

        var refused = await KeyHealthAsync(bed, "a");
        Assert.Equal("cooling", refused.GetProperty("state").GetString());
        Assert.Equal(401, refused.GetProperty("last_status").GetInt32());
    }

    /// <summary>A WebSocket route on a priority pool of <paramref name="keyNames"/> (secret sk-{name}), timeout 120 s, on a fake clock.</summary>
    private static async Task<(GatewayTestBed Bed, FakeTimeProvider Clock)> StartAsync(FakeResponsesWebSocket fake, params string[] keyNames)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bed = await GatewayTestBed.StartAsync(replaceServices: services => services.AddSingleton<TimeProvider>(clock));
        await WebSocketRoute.AddAsync(bed.Admin, Provider, fake.BaseAddress, websocket: true, Alias, "ws-upstream-model");
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{Provider}", new JsonObject
        {
            ["routing_mode"] = "priority",
            ["timeout_seconds"] = 120,
            ["api_keys"] = new JsonArray([.. keyNames.Select(name => (JsonNode)new JsonObject { ["name"] = name, ["api_key"] = KeyPoolBed.Secret(name) })]),
        });
        return (bed, clock);
    }

    private static Task<JsonElement> KeyHealthAsync(GatewayTestBed bed, string keyName) => KeyPoolBed.KeyHealthAsync(bed.Admin, Provider, keyName);
}
