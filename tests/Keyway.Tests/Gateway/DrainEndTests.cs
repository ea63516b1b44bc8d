using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Gateway;
using Keyway.Tests.Hardening;
using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Gateway;

/// <summary>
/// The end of a graceful stop's drain window (<see cref="GatewayDrain"/>, ended here at once instead of by a SIGTERM)
/// ends every kind of request still running as it ends a forwarded one: in the client's protocol (a 503, an error event,
/// a cut binary body) and with a 503 log row naming the drain, never as a timeout and never by the host's cut.
/// </summary>
public sealed class DrainEndTests
{
    private const string DrainEnded = "Keyway is shutting down: its drain window";

    /// <summary>Guards each await on the gateway, so a request the drain does not end fails the test instead of hanging it.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private const string WebSocketAlias = "ws-alias";
    private const string WebSocketProvider = "ws-provider";
    private const string WebSocketModel = "ws-upstream-model";

    private static void EndTheDrain(KeywayServer server) => server.Services.GetRequiredService<GatewayDrain>().Begin(TimeSpan.Zero);

    /// <summary>A gateway with a WebSocket route to <paramref name="fake"/>, on <paramref name="clock"/> when one is given.</summary>
    private static async Task<GatewayTestBed> StartWebSocketAsync(FakeResponsesWebSocket fake, TimeProvider? clock = null)
    {
        var bed = await GatewayTestBed.StartAsync(replaceServices: clock is null ? null : services => services.AddSingleton(clock));
        await Infrastructure.WebSocketRoute.AddAsync(bed.Admin, WebSocketProvider, fake.BaseAddress, websocket: true, WebSocketAlias, WebSocketModel);
        return bed;
    }

    /// <summary>
    /// Cools the only key of <paramref name="providerId"/> for a minute, which a fake clock never ends, and gives it a key
    /// wait longer than that: a request for it waits until something else ends the wait.
    /// </summary>
    private static async Task<ProviderCircuit> CoolTheOnlyKeyAsync(GatewayTestBed bed, string providerId, string upstreamModel)
    {
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Patch, $"admin/llm/providers/{providerId}", new JsonObject { ["key_wait_seconds"] = 300 });
        Assert.True(bed.Server.Services.GetRequiredService<RoutingTableHolder>().Current.TryGetProvider(providerId, out var provider));
        var cooldowns = bed.Server.Services.GetRequiredService<CooldownBook>();
        cooldowns.RecordFailure(provider, provider.Keys[0], upstreamModel, new UpstreamFailure(FailureClass.RateLimit, 429, TimeSpan.FromSeconds(60), false, "slow down"));
        return cooldowns.CircuitOf(providerId);
    }

    [Fact]
    public async Task ARequestWaitingForAKey_IsAnswered503_WhenTheDrainEnds()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a");
        var circuit = await CoolTheOnlyKeyAsync(pool.Bed, GatewayTestBed.OpenAIProvider, GatewayTestBed.OpenAIModel);
        var waiter = pool.ChatAsync();
        await RequestLogOutageTests.WaitUntilAsync(() => circuit.Waiting == 1);

        // The fake clock never moves, so the cooldown never ends: only the drain's end can end the wait.
        EndTheDrain(pool.Bed.Server);

        using var answer = await waiter.WaitAsync(Guard);
        Assert.Equal(503, (int)answer.StatusCode);
        Assert.StartsWith(DrainEnded, (await KeyPoolBed.JsonAsync(answer)).GetProperty("error").GetProperty("message").GetString());
        AssertEndedByTheDrain(await pool.Bed.WaitForLogsAsync(1));
        Assert.Empty(pool.TakeKeysSeen());
    }

    [Fact]
    public async Task ABinaryBodyBeingRelayed_IsCutAndLoggedAs503_NotAsAnUpstreamTimeout()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var response = await bed.PostAsync("v1/audio/speech", """{"model":"gpt-alias","input":"Hello","voice":"alloy"}""");
        await using var audio = await response.Content.ReadAsStreamAsync();
        await audio.ReadExactlyAsync(new byte[FakeSpeech.ChunkLength]).AsTask().WaitAsync(Guard);

        EndTheDrain(bed.Server);

        await Assert.ThrowsAnyAsync<IOException>(() => audio.ReadExactlyAsync(new byte[FakeSpeech.ChunkLength]).AsTask().WaitAsync(Guard));
        AssertEndedByTheDrain(await bed.WaitForLogsAsync(1));
    }

    [Fact]
    public async Task AWebSearchStillSearching_IsAnswered503_WhenTheDrainEnds()
    {
        await using var bed = await WebSearchBed.StartAsync(searchTimeout: TimeSpan.FromHours(1));
        bed.Tavily.HangNext();
        var answer = bed.Gateway.PostAsync("v1/chat/completions", """{"model":"gpt-alias","messages":[{"role":"user","content":"use the tool tavily_search"}]}""");
        await RequestLogOutageTests.WaitUntilAsync(() => bed.Tavily.Requests.Count == 1);

        EndTheDrain(bed.Gateway.Server);

        using var response = await answer.WaitAsync(Guard);
        Assert.Equal(503, (int)response.StatusCode);
        Assert.StartsWith(DrainEnded, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString());
        AssertEndedByTheDrain(await bed.Gateway.WaitForLogsAsync(1));
    }

    [Fact]
    public async Task AResponsesWebSocketWithAResponseRunning_GetsAnErrorEventAndAGoingAwayClose_LoggedAs503()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartWebSocketAsync(fake);
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, WebSocketAlias, bed.Key);
        await ResponsesWebSocketClient.SendAsync(socket, $$"""{"type":"response.create","model":"{{WebSocketAlias}}","input":"{{FakeResponsesWebSocket.HoldInput}}"}""");
        var buffer = new byte[64 * 1024];
        var created = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal("response.created", JsonDocument.Parse(buffer.AsMemory(0, created.Count)).RootElement.GetProperty("type").GetString());

        EndTheDrain(bed.Server);

        var error = await ResponsesWebSocketClient.ReceiveErrorAsync(socket).WaitAsync(Guard);
        var closing = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(503, error.GetProperty("status").GetInt32());
        Assert.StartsWith(DrainEnded, error.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        AssertEndedByTheDrain(await bed.WaitForLogsAsync(1));
    }

    [Fact]
    public async Task AResponsesWebSocketUpgradeWaitingForAKey_IsRefused503_WhenTheDrainEnds()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartWebSocketAsync(fake, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var circuit = await CoolTheOnlyKeyAsync(bed, WebSocketProvider, WebSocketModel);
        var refused = ResponsesWebSocketClient.RefusedUpgradeAsync(bed.Server, WebSocketAlias, bed.Key);
        await RequestLogOutageTests.WaitUntilAsync(() => circuit.Waiting == 1);

        EndTheDrain(bed.Server);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await refused.WaitAsync(Guard)).Status);
        AssertEndedByTheDrain(await bed.WaitForLogsAsync(1));
        Assert.Empty(fake.Received);
    }

    [Fact]
    public async Task AResponsesWebSocketWaitingForItsFirstEvent_IsClosedAsGoingAway()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await StartWebSocketAsync(fake);
        using var socket = await ResponsesWebSocketClient.ConnectAsync(bed.Server, "", bed.Key);

        EndTheDrain(bed.Server);

        var closing = await socket.ReceiveAsync(new byte[1024], CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
    }

    private static void AssertEndedByTheDrain(JsonElement[] rows) => Assert.All(rows, row =>
    {
        Assert.Equal(503, row.GetProperty("status_code").GetInt32());
        Assert.StartsWith(DrainEnded, row.GetProperty("error").GetString());
    });
}
