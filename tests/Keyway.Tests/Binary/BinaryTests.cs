using System.Net;
using System.Text.Json;
using Keyway.Tests.Infrastructure;
using static Keyway.Tests.Binary.BinaryHttp;

namespace Keyway.Tests.Binary;

/// <summary>
/// Smoke test of the built executable in its own process: every JSON surface it serves here goes through the
/// source-generated contexts, because the shipped binary has no reflection-based JSON fallback.
/// </summary>
public sealed class BinaryTests
{
    private const string OpenAIAlias = GatewayTestBed.OpenAIAlias;
    private const string AnthropicAlias = GatewayTestBed.AnthropicAlias;

    [Fact]
    public async Task ServesAdminAndDataPlane_AndFlushesLogsOnSigterm()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var data = new TempDirectory();
        var environment = KeywayBinary.Environment(data.Path);

        await using (var keyway = await KeywayProcess.StartAsync(environment, data.Path))
        {
            var health = Ok(await GetAsync(keyway.Http, "health"));
            Assert.True(health.GetProperty("ok").GetBoolean());
            Assert.False(string.IsNullOrEmpty(health.GetProperty("version").GetString()));
            using var admin = await LoginAsync(keyway.BaseAddress);
            var key = await ConfigureAsync(admin, upstream);
            using var client = WithBearer(keyway.BaseAddress, key);

            await BinaryDataPlane.AssertChatAsync(client);
            await BinaryDataPlane.AssertMessagesStreamAsync(client);
            await BinaryDataPlane.AssertModelsAsync(client);
            await BinaryDataPlane.AssertCountTokensEstimateAsync(client);
            await BinaryDataPlane.AssertUpstreamErrorRelayedAsync(client, upstream);
            var e2e = Ok(await PostAsync(admin, "admin/llm/e2e", "{}"));
            Assert.Equal("PASS (2/2)", e2e.GetProperty("summary").GetString());

            Assert.True(await keyway.StopAsync() == 0, keyway.Output);
        }

        await using var restarted = await KeywayProcess.StartAsync(environment, data.Path);
        using var tokenAdmin = WithAdminToken(restarted.BaseAddress);
        var logs = Ok(await GetAsync(tokenAdmin, "admin/llm/logs?limit=100")).GetProperty("logs").EnumerateArray().ToList();
        Assert.Contains(logs, log => Is(log, OpenAIAlias, 200, stream: true) && log.GetProperty("output_tokens").GetInt64() == FakeUpstream.CompletionTokens);
        Assert.Contains(logs, log => Is(log, AnthropicAlias, 200, stream: true) && log.GetProperty("cache_read_tokens").GetInt64() == FakeUpstream.CachedTokens);
        Assert.Contains(logs, log => Is(log, OpenAIAlias, 429, stream: false));
        var stats = Ok(await GetAsync(tokenAdmin, "admin/llm/stats"));
        Assert.Equal(logs.Count, stats.GetProperty("stats").GetProperty("total").GetInt64());
        Assert.Contains(stats.GetProperty("by_alias").EnumerateArray(), row => row.GetProperty("route_alias").GetString() == OpenAIAlias && row.GetProperty("errors").GetInt64() >= 1);
        Assert.True(await restarted.StopAsync() == 0, restarted.Output);
    }

    [Fact]
    public async Task WrongSecret_OnAnExistingDatabase_ExitsWith2()
    {
        using var data = new TempDirectory();
        await using (var first = await KeywayProcess.StartAsync(KeywayBinary.Environment(data.Path), data.Path))
        {
            Assert.True(await first.StopAsync() == 0, first.Output);
        }

        var refused = await KeywayBinary.RunToExitAsync(
            KeywayBinary.Environment(data.Path, new Dictionary<string, string> { ["KEYWAY_SECRET"] = "another-secret-0123456789abcdef" }), data.Path);

        Assert.True(refused.ExitCode == 2, refused.Transcript);
        Assert.Contains("keyway: KEYWAY_SECRET does not match the secret this database was created with.", refused.Stderr);
    }

    [Fact]
    public async Task InvalidPort_ExitsWith2()
    {
        using var data = new TempDirectory();

        var refused = await KeywayBinary.RunToExitAsync(
            KeywayBinary.Environment(data.Path, new Dictionary<string, string> { ["KEYWAY_PORT"] = "http" }), data.Path);

        Assert.True(refused.ExitCode == 2, refused.Transcript);
        Assert.Contains("keyway: KEYWAY_PORT must be an integer between 0 and 65535, got 'http'.", refused.Stderr);
    }

    [Theory]
    [InlineData("KEYWAY_PORT")]
    [InlineData("KEYWAY_METRICS_PORT")]
    public async Task PortInUse_ExitsWith2_WithOneLine(string variable)
    {
        using var data = new TempDirectory();
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var refused = await KeywayBinary.RunToExitAsync(
            KeywayBinary.Environment(data.Path, new Dictionary<string, string> { [variable] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }), data.Path);

        Assert.True(refused.ExitCode == 2, refused.Transcript);
        Assert.Equal(
            $"keyway: Failed to bind to address http://127.0.0.1:{port}: address already in use. Free it or choose another KEYWAY_PORT / KEYWAY_METRICS_PORT.",
            refused.Stderr.Trim());
        Assert.DoesNotContain("Hosting failed to start", refused.Stdout);
        Assert.DoesNotContain("   at ", refused.Stdout);
    }

    [Theory]
    [InlineData("KEYWAY_HOST", "KEYWAY_PORT")]
    [InlineData("KEYWAY_METRICS_HOST", "KEYWAY_METRICS_PORT")]
    public async Task AddressNotOnThisMachine_ExitsWith2_WithOneLineNamingItAndTheReason(string hostVariable, string portVariable)
    {
        using var data = new TempDirectory();
        // TEST-NET-1 (RFC 5737) is on no interface: binding fails at once with EADDRNOTAVAIL, and nothing is sent.
        var overrides = new Dictionary<string, string> { [hostVariable] = "192.0.2.1", [portVariable] = "9233" };

        var refused = await KeywayBinary.RunToExitAsync(KeywayBinary.Environment(data.Path, overrides), data.Path);

        Assert.True(refused.ExitCode == 2, refused.Transcript);
        Assert.Equal(
            "keyway: Failed to bind to address http://192.0.2.1:9233: Cannot assign requested address. Choose an address of this machine and " +
            "a port it may use: KEYWAY_HOST / KEYWAY_PORT, KEYWAY_METRICS_HOST / KEYWAY_METRICS_PORT.",
            refused.Stderr.Trim());
        Assert.DoesNotContain("Hosting failed to start", refused.Stdout);
        Assert.DoesNotContain("   at ", refused.Stdout);
    }

    [Fact]
    public async Task Banner_ShowsTheAdminTokenOnlyWhenItWasGenerated()
    {
        using var data = new TempDirectory();
        var fromFile = KeywayBinary.Environment(data.Path);
        fromFile.Remove("KEYWAY_ADMIN_TOKEN");
        var tokenFile = Path.Combine(data.Path, "admin.token");

        var generated = await StartAndStopAsync(fromFile, data.Path);
        var token = (await File.ReadAllTextAsync(tokenFile)).Trim();
        var kept = await StartAndStopAsync(fromFile, data.Path);
        var environment = await StartAndStopAsync(KeywayBinary.Environment(data.Path), data.Path);

        Assert.Contains($"admin token: {token}  (generated, kept in {tokenFile})", generated);
        Assert.Contains($"admin token: in {tokenFile}", kept);
        Assert.DoesNotContain(token, kept);
        Assert.Contains("admin token: from KEYWAY_ADMIN_TOKEN", environment);
        Assert.DoesNotContain(KeywayBinary.AdminToken, environment);
    }

    /// <summary>
    /// With KEYWAY_METRICS_PORT the banner names that port's /metrics (unauthenticated); without it the main port's, behind
    /// the admin token. The port asked for is the one shown, so each case runs on a port known in advance.
    /// </summary>
    [Theory]
    [InlineData("KEYWAY_METRICS_PORT", "")]
    [InlineData("KEYWAY_PORT", " (admin token)")]
    public async Task Banner_SaysWhereTheMetricsAre(string portVariable, string note)
    {
        using var data = new TempDirectory();
        var port = LoopbackPort.Free();
        var environment = KeywayBinary.Environment(data.Path, new Dictionary<string, string> { [portVariable] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var banner = await StartAndStopAsync(environment, data.Path);

        Assert.Contains($"  metrics:     http://127.0.0.1:{port}/metrics{note}{System.Environment.NewLine}", banner);
    }

    private static async Task<string> StartAndStopAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        await using var process = await KeywayProcess.StartAsync(environment, workingDirectory);
        Assert.True(await process.StopAsync() == 0, process.Output);
        return process.Output;
    }

    /// <summary>Both providers on the fake upstream, one route each, one key; through the logged-in admin session.</summary>
    private static async Task<string> ConfigureAsync(HttpClient admin, FakeUpstream upstream)
    {
        await AdminApi.CreateProviderAsync(admin, "default", GatewayTestBed.OpenAIProvider, new Uri(upstream.BaseAddress, "v1").ToString(), "openai");
        await AdminApi.CreateProviderAsync(admin, "default", GatewayTestBed.AnthropicProvider, upstream.BaseAddress.ToString(), "anthropic");
        await AdminApi.CreateRouteAsync(admin, "default", OpenAIAlias, GatewayTestBed.OpenAIProvider, GatewayTestBed.OpenAIModel);
        await AdminApi.CreateRouteAsync(admin, "default", AnthropicAlias, GatewayTestBed.AnthropicProvider, GatewayTestBed.AnthropicModel);
        return await AdminApi.CreateKeyAsync(admin, "default");
    }

    private static bool Is(JsonElement log, string alias, int status, bool stream) =>
        log.GetProperty("route_alias").GetString() == alias
        && log.GetProperty("status_code").GetInt32() == status
        && log.GetProperty("stream").GetBoolean() == stream;
}
