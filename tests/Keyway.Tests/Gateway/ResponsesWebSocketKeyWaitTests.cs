using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyway.Tests.Hardening;
using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>
/// A Responses WebSocket waits for a key of a pool at its caps as an HTTP request does (the provider's key_wait_seconds),
/// in the same line, on a fake clock that moves only when told: with the alias in the query before the upgrade, with the
/// alias in the first response.create after it. A client that leaves while it waits leaves the line and frees nothing.
/// </summary>
public sealed class ResponsesWebSocketKeyWaitTests
{
    private const string Alias = "ws-alias";
    private const string Provider = "ws-provider";
    private const string KeyName = "a";
    private const string CreateEvent = $$"""{"type":"response.create","model":"{{Alias}}","input":"hi"}""";

    /// <summary>Guards each await on the gateway, so a test that fails does not hang.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WithAKeyWait_AnUpgradeWithTheAliasInTheQuery_WaitsForThePlaceGivenBack()
    {
        await using var bed = await WaitBed.StartAsync(keyWaitSeconds: 30);

        var waiting = ResponsesWebSocketClient.ConnectAsync(bed.Bed.Server, Alias, bed.Bed.Key);
        await RequestLogOutageTests.WaitUntilAsync(() => bed.Waiting == 1);
        await CloseAsync(bed.Holder);

        // The clock never moved: only the holder giving its place back can have let the waiter in.
        using var served = await waiting.WaitAsync(Guard);
        Assert.Equal("response.completed", (await ResponsesWebSocketClient.ExchangeAsync(served, Alias).WaitAsync(Guard)).Last());
        Assert.Equal(0, bed.Waiting);
    }

    [Fact]
    public async Task WithAKeyWait_AFirstResponseCreate_WaitsForThePlaceGivenBack()
    {
        await using var bed = await WaitBed.StartAsync(keyWaitSeconds: 30);
        using var waiter = await bed.FirstResponseWaitingAsync();

        await CloseAsync(bed.Holder);

        Assert.Equal("response.completed", (await ResponsesWebSocketClient.ReceiveUntilCompletedAsync(waiter).WaitAsync(Guard)).Last());
        Assert.Equal(0, bed.Waiting);
        Assert.Single(bed.Fake.Received);
    }

    [Fact]
    public async Task WebSocketWaiters_AreServedInTheOrderTheyCame()
    {
        await using var bed = await WaitBed.StartAsync(keyWaitSeconds: 30);
        using var first = await bed.FirstResponseWaitingAsync();
        var second = ResponsesWebSocketClient.ConnectAsync(bed.Bed.Server, Alias, bed.Bed.Key);
        await RequestLogOutageTests.WaitUntilAsync(() => bed.Waiting == 2);

        await CloseAsync(bed.Holder);
        Assert.Equal("response.completed", (await ResponsesWebSocketClient.ReceiveUntilCompletedAsync(first).WaitAsync(Guard)).Last());
        Assert.Equal(1, bed.Waiting);
        Assert.False(second.IsCompleted);

        await CloseAsync(first);
        using var secondSocket = await second.WaitAsync(Guard);
        Assert.Equal(WebSocketState.Open, secondSocket.State);
        Assert.Equal(0, bed.Waiting);
    }

    [Fact]
    public async Task TheWaitEnds_AfterKeyWaitSeconds_WithThe429AndRetryAfterOfAPoolAtItsCaps_AsHttpDoes()
    {
        await using var bed = await WaitBed.StartAsync(keyWaitSeconds: 3);

        var refusing = ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Bed.Server, Alias, bed.Bed.Key);
        await RequestLogOutageTests.WaitUntilAsync(() => bed.Waiting == 1);
        bed.Clock.Advance(TimeSpan.FromSeconds(3));
        var refused = await refusing.WaitAsync(Guard);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal(["1"], refused.Headers.GetValueOrDefault("Retry-After"));
        Assert.Equal(0, bed.Waiting);
        Assert.Equal(1, bed.InFlight);
    }

    /// <summary>A WebSocket refused for a pool at its caps is in the server log's warning, as its HTTP twin is.</summary>
    [Fact]
    public async Task AnUpgradeRefusedForAPoolAtItsCaps_IsWarnedOfInTheServerLog_AsHttpIs()
    {
        var log = new CapturedLog();
        await using var bed = await WaitBed.StartAsync(keyWaitSeconds: 0, log);

        var refused = await ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Bed.Server, Alias, bed.Bed.Key).WaitAsync(Guard);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        var warning = Assert.Single(log.Text.Split('\n'), line => line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains("max_concurrency", StringComparison.Ordinal));
        Assert.Contains($"1 request(s) for model '{Alias}' answered 429", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheWaitOfAFirstResponseCreate_EndsAfterKeyWaitSeconds_WithA429ErrorEventCarryingRetryAfter()
    {
        await using var bed = await WaitBed.StartAsync(keyWaitSeconds: 3);
        using var waiter = await bed.FirstResponseWaitingAsync();

        bed.Clock.Advance(TimeSpan.FromSeconds(3));
        var error = await ResponsesWebSocketClient.ReceiveErrorAsync(waiter).WaitAsync(Guard);

        Assert.Equal(429, error.GetProperty("status").GetInt32());
        Assert.Contains("max_concurrency", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        // The Retry-After an HTTP answer carries, in the event's headers, which Codex reads as the HTTP error's.
        Assert.Equal("1", error.GetProperty("headers").GetProperty("retry-after").GetString());
        Assert.Equal(0, bed.Waiting);
        Assert.Equal(1, bed.InFlight);
        Assert.Empty(bed.Fake.Received);
    }

    [Fact]
    public async Task AClientThatClosesTheSocketWhileItsFirstResponseWaits_LeavesTheLine_AndFreesNothing()
    {
        await using var bed = await WaitBed.StartAsync(keyWaitSeconds: 30);
        using var waiter = await bed.FirstResponseWaitingAsync();

        await waiter.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "leaving", CancellationToken.None);
        var answer = await waiter.ReceiveAsync(new byte[1024], CancellationToken.None).WaitAsync(Guard);

        Assert.Equal(WebSocketMessageType.Close, answer.MessageType);
        await bed.AssertLeftTheLineAndFreedNothingAsync();
        Assert.Empty(bed.Fake.Received);
    }

    [Fact]
    public async Task AClientThatGivesUpAnUpgradeWhileItWaits_LeavesTheLine_AndFreesNothing()
    {
        await using var bed = await WaitBed.StartAsync(keyWaitSeconds: 30);
        using var leaving = new CancellationTokenSource();
        using var waiter = new ClientWebSocket();
        waiter.Options.SetRequestHeader("Authorization", "Bearer " + bed.Bed.Key);

        var connecting = waiter.ConnectAsync(new UriBuilder(bed.Bed.Server.BaseAddress) { Scheme = "ws", Path = "/v1/responses", Query = "model=" + Alias }.Uri, leaving.Token);
        await RequestLogOutageTests.WaitUntilAsync(() => bed.Waiting == 1);
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => connecting);

        await bed.AssertLeftTheLineAndFreedNothingAsync();
        using var next = await ResponsesWebSocketClient.ConnectAsync(bed.Bed.Server, Alias, bed.Bed.Key);
        Assert.Equal("response.completed", (await ResponsesWebSocketClient.ExchangeAsync(next, Alias).WaitAsync(Guard)).Last());
    }

    private static async Task CloseAsync(ClientWebSocket socket)
    {
        using (socket)
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(Guard);
        }
    }

    /// <summary>
    /// A WebSocket route whose provider has one key with one place, taken by an open connection (<see cref="Holder"/>),
    /// and the given key wait, on a clock that only moves when told.
    /// </summary>
    private sealed record WaitBed(FakeResponsesWebSocket Fake, GatewayTestBed Bed, FakeTimeProvider Clock, ClientWebSocket Holder) : IAsyncDisposable
    {
        /// <param name="log">Keeps the server's log lines, when given.</param>
        public static async Task<WaitBed> StartAsync(int keyWaitSeconds, CapturedLog? log = null)
        {
            var fake = await FakeResponsesWebSocket.StartAsync();
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var bed = await GatewayTestBed.StartAsync(replaceServices: services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                if (log is not null)
                {
                    services.AddSingleton<ILoggerProvider>(log);
                }
            });
            await WebSocketRoute.AddAsync(bed.Admin, Provider, fake.BaseAddress, websocket: true, Alias, "ws-upstream-model");
            await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{Provider}", new JsonObject
            {
                ["key_wait_seconds"] = keyWaitSeconds,
                ["api_keys"] = new JsonArray(new JsonObject { ["name"] = KeyName, ["api_key"] = "sk-a", ["max_concurrency"] = 1 }),
            });
            return new WaitBed(fake, bed, clock, await ResponsesWebSocketClient.ConnectAsync(bed.Server, Alias, bed.Key));
        }

        private CooldownBook Cooldowns => Bed.Server.Services.GetRequiredService<CooldownBook>();

        /// <summary>Requests in line for a key of the provider's pool.</summary>
        public int Waiting => Cooldowns.CircuitOf(Provider).Waiting;

        /// <summary>Places of the pool's key taken now.</summary>
        public int InFlight
        {
            get
            {
                var routing = Bed.Server.Services.GetRequiredService<Keyway.Gateway.RoutingTableHolder>().Current;
                Assert.True(routing.TryGetProvider(Provider, out var provider));
                return Cooldowns.For(provider.Keys.Single(key => key.Name == KeyName), provider).InFlight;
            }
        }

        /// <summary>A connection without the alias in the query whose first response.create is in line for a key.</summary>
        public async Task<ClientWebSocket> FirstResponseWaitingAsync()
        {
            var waiting = Waiting;
            var socket = await ResponsesWebSocketClient.ConnectAsync(Bed.Server, "", Bed.Key);
            await ResponsesWebSocketClient.SendAsync(socket, CreateEvent);
            await RequestLogOutageTests.WaitUntilAsync(() => Waiting == waiting + 1);
            return socket;
        }

        /// <summary>The waiter that left is out of line, the holder's place was not freed for it, and is freed when the holder closes.</summary>
        public async Task AssertLeftTheLineAndFreedNothingAsync()
        {
            await RequestLogOutageTests.WaitUntilAsync(() => Waiting == 0);
            Assert.Equal(1, InFlight);
            await CloseAsync(Holder);
            await RequestLogOutageTests.WaitUntilAsync(() => InFlight == 0);
        }

        public async ValueTask DisposeAsync()
        {
            Holder.Dispose();
            await Bed.DisposeAsync();
            await Fake.DisposeAsync();
        }
    }
}
