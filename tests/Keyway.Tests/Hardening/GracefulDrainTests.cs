using System.Net;
using System.Net.Sockets;
using Keyway.Tests.Binary;
using Keyway.Tests.Infrastructure;
using static Keyway.Tests.Binary.BinaryHttp;

namespace Keyway.Tests.Hardening;

/// <summary>SIGTERM under load, on the real binary: requests in flight (a held-open stream too) finish, new connections are refused, every answered request is logged.</summary>
public sealed class GracefulDrainTests
{
    private const string Chat = """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""";
    private const string Stream = """{"model":"gpt-alias","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task Sigterm_LetsRequestsInFlightFinish_RefusesNewConnections_AndLogsEveryAnswer()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var data = new TempDirectory();
        var environment = KeywayBinary.Environment(data.Path, new Dictionary<string, string> { ["KEYWAY_DRAIN_SECONDS"] = "120" });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await using (var keyway = await KeywayProcess.StartAsync(environment, data.Path))
        {
            using var client = await ConfigureAsync(keyway, upstream);

            upstream.Enqueue(FakeReply.HoldUntil(release.Task), times: 3);
            var held = Enumerable.Range(0, 3).Select(_ => client.PostAsync("v1/chat/completions", GatewayTestBed.Json(Chat))).ToList();
            await upstream.WaitForRequestsAsync(3);
            upstream.Enqueue(FakeReply.StreamThenPause(eventsBeforePause: 2, release.Task));
            using var stream = await StartStreamAsync(client);
            var streamBody = await stream.Content.ReadAsStreamAsync();

            keyway.Terminate();
            await WaitUntilRefusedAsync(keyway.BaseAddress);
            release.SetResult();

            foreach (var answer in held)
            {
                using var response = await answer;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Contains(FakeUpstream.ReplyText(GatewayTestBed.OpenAIModel), await response.Content.ReadAsStringAsync());
            }
            using var rest = new StreamReader(streamBody);
            Assert.Contains("data: [DONE]", await rest.ReadToEndAsync());
            Assert.True(await keyway.WaitForExitAsync() == 0, keyway.Output);
        }

        await using var restarted = await KeywayProcess.StartAsync(environment, data.Path);
        using var tokenAdmin = WithAdminToken(restarted.BaseAddress);
        var logs = Ok(await GetAsync(tokenAdmin, "admin/llm/logs?limit=100")).GetProperty("logs").EnumerateArray().ToList();
        Assert.Equal(4, logs.Count);
        Assert.All(logs, log => Assert.Equal(200, log.GetProperty("status_code").GetInt32()));
        Assert.True(await restarted.StopAsync() == 0, restarted.Output);
    }

    /// <summary>
    /// A stream still running when the drain window ends: the gateway ends it in the client's protocol with an error event,
    /// logs it as 503, flushes the log after that and exits 0.
    /// </summary>
    [Fact]
    public async Task Sigterm_StreamOutlastingTheDrain_EndsWithAnErrorEvent_IsLoggedAs503_AndExits0()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var data = new TempDirectory();
        var environment = KeywayBinary.Environment(data.Path, new Dictionary<string, string> { ["KEYWAY_DRAIN_SECONDS"] = "1" });

        await using (var keyway = await KeywayProcess.StartAsync(environment, data.Path))
        {
            using var client = await ConfigureAsync(keyway, upstream);
            upstream.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: 2));
            using var stream = await StartStreamAsync(client);
            var streamBody = await stream.Content.ReadAsStreamAsync();

            keyway.Terminate();

            using var rest = new StreamReader(streamBody);
            Assert.Contains("\"message\":\"Keyway is shutting down: its drain window", await rest.ReadToEndAsync());
            Assert.True(await keyway.WaitForExitAsync() == 0, keyway.Output);
        }

        await using var restarted = await KeywayProcess.StartAsync(environment, data.Path);
        using var tokenAdmin = WithAdminToken(restarted.BaseAddress);
        var log = Assert.Single(Ok(await GetAsync(tokenAdmin, "admin/llm/logs?limit=100")).GetProperty("logs").EnumerateArray());
        Assert.Equal(503, log.GetProperty("status_code").GetInt32());
        Assert.True(log.GetProperty("stream").GetBoolean());
        Assert.True(await restarted.StopAsync() == 0, restarted.Output);
    }

    /// <summary>An OpenAI route to <paramref name="upstream"/>; the client carries a key issued for it.</summary>
    private static async Task<HttpClient> ConfigureAsync(KeywayProcess keyway, FakeUpstream upstream)
    {
        using var admin = WithAdminToken(keyway.BaseAddress);
        await AdminApi.CreateProviderAsync(admin, "default", GatewayTestBed.OpenAIProvider, new Uri(upstream.BaseAddress, "v1").ToString(), "openai");
        await AdminApi.CreateRouteAsync(admin, "default", GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIProvider, GatewayTestBed.OpenAIModel);
        return WithBearer(keyway.BaseAddress, await AdminApi.CreateKeyAsync(admin, "default"));
    }

    /// <summary>A chat stream whose first byte has arrived: the request is in flight.</summary>
    private static async Task<HttpResponseMessage> StartStreamAsync(HttpClient client)
    {
        var stream = await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayTestBed.Json(Stream) }, HttpCompletionOption.ResponseHeadersRead);
        await (await stream.Content.ReadAsStreamAsync()).ReadExactlyAsync(new byte[1]);
        return stream;
    }

    /// <summary>Opens fresh connections until one is refused (or reset from the closing backlog): the listener is closed while the old connections drain.</summary>
    private static async Task WaitUntilRefusedAsync(Uri server)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(server.Host, server.Port, deadline.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                return;
            }
            await Task.Delay(50, deadline.Token);
        }
    }
}
