using System.Diagnostics;
using System.Text.Json;
using Keyway.Cli;
using Keyway.Configuration;
using Keyway.Tests.Binary;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.RealClients;
using static Keyway.Tests.Binary.BinaryHttp;

namespace Keyway.Tests.Cli;

/// <summary>`keyway serve --detach`, `keyway status` and `keyway stop` with the built executable, each a process of its own.</summary>
public sealed class ServeDetachTests
{
    [Fact]
    public async Task DetachStatusStop_KeepThePidFile_AndStopFlushesTheLastRequest()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "data");
        var environment = KeywayBinary.Environment(dataDir, new Dictionary<string, string> { ["HOME"] = dir.Path });
        try
        {
            var started = await KeywayAsync(environment, dir.Path, "serve", "--detach");
            Assert.True(started.ExitCode == 0, started.Transcript + ServerLog(dataDir));
            var state = ServerStateFile.ReadLive(dataDir);
            Assert.True(state is not null, $"no live pid file after serve --detach\n{started.Transcript}{ServerLog(dataDir)}");
            Assert.Contains($"pid {state.ProcessId}", started.Stdout);
            var log = Path.Combine(dataDir, ServeCommand.LogFileName);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
            Assert.DoesNotContain(KeywayBinary.AdminToken, ServerLog(dataDir));

            var baseAddress = new Uri(state.Address.TrimEnd('/') + "/");
            using var admin = WithAdminToken(baseAddress);
            await AdminApi.CreateProviderAsync(admin, "default", GatewayTestBed.OpenAIProvider, new Uri(upstream.BaseAddress, "v1").ToString());
            await AdminApi.CreateRouteAsync(admin, "default", GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIProvider, GatewayTestBed.OpenAIModel);
            using var client = WithBearer(baseAddress, await AdminApi.CreateKeyAsync(admin, "default"));
            Ok(await PostAsync(client, "v1/chat/completions", GatewayTestBed.OpenAIChat));
            await WaitForRequestsAsync(admin, 1);

            var status = await KeywayAsync(environment, dir.Path, "status", "--json");
            Assert.True(status.ExitCode == 0, status.Transcript);
            var report = JsonDocument.Parse(status.Stdout).RootElement;
            Assert.True(report.GetProperty("running").GetBoolean());
            Assert.Equal(state.ProcessId, report.GetProperty("pid").GetInt32());
            Assert.Equal(state.Address.TrimEnd('/'), report.GetProperty("address").GetString());
            Assert.Equal(AppVersion.Current, report.GetProperty("version").GetString());
            Assert.InRange(report.GetProperty("uptime_seconds").GetInt64(), 0, 3600);
            Assert.Equal(1, report.GetProperty("requests_logged").GetInt64());
            Assert.Equal(1, report.GetProperty("requests_since_start").GetInt64());
            Assert.Equal("accepted", report.GetProperty("admin_token").GetString());

            // The second request's log row is still queued for the background writer when SIGTERM arrives.
            Ok(await PostAsync(client, "v1/chat/completions", GatewayTestBed.OpenAIChat));
            var stopped = await KeywayAsync(environment, dir.Path, "stop");
            Assert.True(stopped.ExitCode == 0, stopped.Transcript + ServerLog(dataDir));
            Assert.Contains($"stopped pid {state.ProcessId}", stopped.Stdout);
            Assert.False(File.Exists(ServerStateFile.PathIn(dataDir)), "the pid file outlived the gateway");

            var after = await KeywayAsync(environment, dir.Path, "status", "--json");
            Assert.Equal(3, after.ExitCode);
            Assert.False(JsonDocument.Parse(after.Stdout).RootElement.GetProperty("running").GetBoolean());
        }
        finally
        {
            if (ServerStateFile.ReadLive(dataDir) is { } left)
            {
                using var process = Process.GetProcessById(left.ProcessId);
                process.Kill();
            }
        }

        // The binary ran on SQLite (its environment names no database URL), also when the tests run on PostgreSQL.
        await using var reopened = await KeywayServer.StartAsync(dataDir, options => options with { Secret = KeywayBinary.Secret, DatabaseUrl = null });
        var logs = (await AdminApi.GetAsync(reopened.Admin, "admin/llm/logs?limit=10")).Body.GetProperty("logs");
        Assert.Equal(2, logs.GetArrayLength());
    }

    /// <summary>
    /// The gateway in the background cannot bind its port: `serve --detach` waits for it, says it failed with its exit
    /// code and its last error line, exits non-zero, and keeps no admin token it never showed (the next start makes one).
    /// </summary>
    [Fact]
    public async Task Detach_WhenTheGatewayCannotBindItsPort_ReportsItsExitCodeAndError_AndKeepsNoAdminToken()
    {
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "data");
        using var taken = LoopbackPort.Taken();
        var port = LoopbackPort.PortOf(taken);
        var environment = KeywayBinary.Environment(dataDir, new Dictionary<string, string>
        {
            ["HOME"] = dir.Path,
            ["KEYWAY_PORT"] = port,
            ["KEYWAY_ADMIN_TOKEN"] = "",
            ["KEYWAY_SECRET"] = "",
        });

        var started = await KeywayAsync(environment, dir.Path, "serve", "--detach");

        Assert.True(started.ExitCode == 2, started.Transcript + ServerLog(dataDir));
        Assert.DoesNotContain("started", started.Stdout);
        var log = Path.Combine(dataDir, ServeCommand.LogFileName);
        Assert.Equal(
            $"keyway: the gateway in the background exited with code 2 before it listened: Failed to bind to address http://127.0.0.1:{port}: " +
            $"address already in use. Free it or choose another KEYWAY_PORT / KEYWAY_METRICS_PORT. (log: {log})",
            started.Stderr.TrimEnd());
        Assert.False(File.Exists(Path.Combine(dataDir, KeywayOptionsLoader.AdminTokenFileName)), "a start that never listened kept an admin token");
        Assert.Null(ServerStateFile.ReadLive(dataDir));
    }

    /// <summary>The start that generates the admin token shows it to the person who ran `serve --detach`, not to the log file.</summary>
    [Fact]
    public async Task Detach_WithAGeneratedAdminToken_PrintsItOnceItListens_AndKeepsItOutOfTheLog()
    {
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "data");
        var environment = KeywayBinary.Environment(dataDir, new Dictionary<string, string> { ["HOME"] = dir.Path, ["KEYWAY_ADMIN_TOKEN"] = "" });
        try
        {
            var started = await KeywayAsync(environment, dir.Path, "serve", "--detach");

            Assert.True(started.ExitCode == 0, started.Transcript + ServerLog(dataDir));
            var token = File.ReadAllText(Path.Combine(dataDir, KeywayOptionsLoader.AdminTokenFileName)).Trim();
            Assert.Contains($"admin token: {token}", started.Stdout);
            Assert.DoesNotContain(token, ServerLog(dataDir));
            var stopped = await KeywayAsync(environment, dir.Path, "stop");
            Assert.True(stopped.ExitCode == 0, stopped.Transcript + ServerLog(dataDir));
        }
        finally
        {
            if (ServerStateFile.ReadLive(dataDir) is { } left)
            {
                using var process = Process.GetProcessById(left.ProcessId);
                process.Kill();
            }
        }
    }

    private static Task<ProcessResult> KeywayAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] args) =>
        ChildProcess.RunAsync("dotnet", [KeywayBinary.DllPath, .. args], environment, workingDirectory, TimeSpan.FromSeconds(90));

    /// <summary>Polls the admin stats until the background writer stored <paramref name="count"/> request rows.</summary>
    private static async Task WaitForRequestsAsync(HttpClient admin, long count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Ok(await GetAsync(admin, "admin/llm/stats")).GetProperty("stats").GetProperty("total").GetInt64() < count)
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    private static string ServerLog(string dataDir)
    {
        var path = Path.Combine(dataDir, ServeCommand.LogFileName);
        return File.Exists(path) ? $"\n{path}:\n{File.ReadAllText(path)}" : "";
    }
}
