using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Codex CLI with <c>supports_websockets = true</c>: it opens GET /v1/responses without a query and names the
/// model only in its first response.create, which Keyway routes to a provider flagged <c>websocket</c>.
/// </summary>
public sealed class CodexWebSocketTests
{
    private const string Alias = "codex-ws";
    private const string UpstreamModel = "codex-ws-upstream";

    [Fact]
    public async Task PlainPrompt_GoesThroughTheWebSocketRelay_RoutedByTheFirstFrame()
    {
        await using var fake = await FakeResponsesWebSocket.StartAsync();
        await using var bed = await GatewayTestBed.StartAsync();
        await WebSocketRoute.AddAsync(bed.Admin, "ws-provider", fake.BaseAddress, websocket: true, Alias, UpstreamModel);
        using var home = new TempDirectory();

        var run = await Codex.RunAsync(bed.OpenAIBaseUrl, bed.Key, Alias, "Say hello.", home.Path, home.Path, websockets: true);

        Assert.True(run.Process.ExitCode == 0 && run.TurnCompleted, run.Process.Transcript);
        Assert.NotEmpty(fake.Received);
        Assert.All(fake.Received, text => Assert.Equal(UpstreamModel, JsonDocument.Parse(text).RootElement.GetProperty("model").GetString()));
        var log = (await bed.WaitForLogsAsync(1))[0];
        Assert.Equal(Alias, log.GetProperty("route_alias").GetString());
        Assert.Equal(200, log.GetProperty("status_code").GetInt32());
    }
}
