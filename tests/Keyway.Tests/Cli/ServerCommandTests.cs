using System.Net.Http.Headers;
using System.Text.Json;
using Keyway.Cli;
using Keyway.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Spectre.Console;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.Telemetry;

namespace Keyway.Tests.Cli;

/// <summary>status, config show, logs and stats; connection and exit-code rules.</summary>
public sealed class ServerCommandTests
{
    /// <summary>
    /// The request log holds every request the database has seen; of those, the ones logged since the gateway of this
    /// directory started with its instance id are what it served (its pid file says when it started and which instance
    /// it is: on a database several gateways share, the others' rows since then are not its run's), and the two are
    /// labelled apart.
    /// </summary>
    [Fact]
    public async Task Status_ReportsVersion_AndRequestsLoggedApartFromThoseThisInstanceLoggedSinceTheStart()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        await using var server = await KeywayServer.StartAsync(dataDir);
        var started = DateTimeOffset.UtcNow;
        await RequestLogAdminTests.InsertAsync(server, LogTestData.Entry(started.AddHours(-1)), LogTestData.Entry(started.AddSeconds(1)));
        var otherInstance = new RequestLogRepository(server.Services.GetRequiredService<IDbConnectionFactory>(), new InstanceIdentity("other-host:9233"));
        await otherInstance.InsertBatchAsync([LogTestData.Entry(started.AddSeconds(2)), LogTestData.Entry(started.AddSeconds(3))], CancellationToken.None);
        var self = server.Services.GetRequiredService<InstanceIdentity>().Id;
        new ServerStateFile(Environment.ProcessId, server.BaseAddress.ToString(), started, self).Write(dataDir);

        var status = await new CliRunner(server, dir.Path).JsonAsync("status");

        Assert.True(status.GetProperty("running").GetBoolean());
        Assert.Equal(AppVersion.Current, status.GetProperty("version").GetString());
        Assert.Equal(4, status.GetProperty("requests_logged").GetInt64());
        Assert.Equal(1, status.GetProperty("requests_since_start").GetInt64());
        Assert.False(status.TryGetProperty("requests", out _));
    }

    /// <summary>/health needs no token: a missing or refused admin token only costs the figures that need one.</summary>
    [Theory]
    [InlineData(null, "none: pass --token, set KEYWAY_ADMIN_TOKEN, or run where")]
    [InlineData("wrong-token", "refused: Admin authentication required.")]
    public async Task Status_WithoutAWorkingToken_StillSaysTheGatewayRuns_AndWhatBecameOfTheToken(string? token, string tokenReport)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var environment = new Dictionary<string, string> { ["KEYWAY_URL"] = server.BaseAddress.ToString() };
        if (token is not null)
        {
            environment["KEYWAY_ADMIN_TOKEN"] = token;
        }

        var result = await new CliRunner(null, dir.Path, environment).RunAsync("status", "--json");

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        Assert.True(result.Json.GetProperty("running").GetBoolean());
        Assert.Equal(AppVersion.Current, result.Json.GetProperty("version").GetString());
        Assert.StartsWith(tokenReport, result.Json.GetProperty("admin_token").GetString());
        Assert.Equal(JsonValueKind.Null, result.Json.GetProperty("requests_logged").ValueKind);
    }

    [Fact]
    public async Task Status_WithoutAdminToken_OrGateway_SaysNotRunning_AndExits3()
    {
        using var dir = new TempDirectory();
        var cli = new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_URL"] = "http://127.0.0.1:1" });

        var result = await cli.RunAsync("status");

        Assert.Equal(3, result.ExitCode);
        Assert.Matches(@"(?m)^\s*running\s+no\s*$", result.Out);
    }

    [Fact]
    public async Task Status_WithoutGateway_Exits3()
    {
        using var dir = new TempDirectory();
        var cli = new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_URL"] = "http://127.0.0.1:1", ["KEYWAY_ADMIN_TOKEN"] = "x" });
        var result = await cli.RunAsync("status", "--json");
        Assert.Equal(3, result.ExitCode);
        Assert.False(result.Json.GetProperty("running").GetBoolean());
    }

    /// <summary>Nothing answers: this directory's gateway can be started; a gateway named by its address is another machine's matter.</summary>
    [Theory]
    [InlineData(true, "check the address given with --url or KEYWAY_URL")]
    [InlineData(false, "start one with `keyway serve`")]
    public async Task NoGatewayAnswering_SaysWhatToDo_ByWhereTheAddressCameFrom(bool named, string hint)
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string> { ["KEYWAY_ADMIN_TOKEN"] = "x", [named ? "KEYWAY_URL" : "KEYWAY_PORT"] = named ? "http://127.0.0.1:1" : "1" };

        var result = await new CliRunner(null, dir.Path, environment).RunAsync("route", "list");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no Keyway gateway answers at http://127.0.0.1:1/", result.Error);
        Assert.Contains(hint, result.Error);
    }

    [Fact]
    public async Task Status_OfAnotherUrl_DoesNotReportTheLocalGatewaysPid()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        new ServerStateFile(Environment.ProcessId, "http://127.0.0.1:9233", DateTimeOffset.UtcNow).Write(dataDir);
        var cli = new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_URL"] = "http://127.0.0.1:1", ["KEYWAY_ADMIN_TOKEN"] = "x" });

        var result = await cli.RunAsync("status", "--json");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(JsonValueKind.Null, result.Json.GetProperty("pid").ValueKind);
        Assert.Equal("http://127.0.0.1:1", result.Json.GetProperty("address").GetString());
        Assert.Contains("http://127.0.0.1:1/", result.Json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AdminCommand_ReadsTokenFromDataDir()
    {
        using var dir = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        await using var server = await KeywayServer.StartAsync(dataDir);
        await File.WriteAllTextAsync(Path.Combine(dataDir, "admin.token"), KeywayServer.AdminToken + "\n");
        var cli = new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_URL"] = server.BaseAddress.ToString() });
        Assert.Equal("default", (await cli.JsonAsync("group", "list")).GetProperty("groups")[0].GetProperty("group_id").GetString());

        var wrong = await new CliRunner(null, dir.Path, new Dictionary<string, string>
        {
            ["KEYWAY_URL"] = server.BaseAddress.ToString(),
            ["KEYWAY_ADMIN_TOKEN"] = "wrong",
        }).RunAsync("group", "list");
        Assert.Equal(1, wrong.ExitCode);
        Assert.StartsWith("keyway: Admin authentication required.", wrong.Error);
    }

    [Fact]
    public async Task ConfigShow_MasksSecrets()
    {
        using var dir = new TempDirectory();
        var cli = new CliRunner(null, dir.Path, new Dictionary<string, string>
        {
            ["KEYWAY_SECRET"] = "a-very-secret-value-0123456789",
            ["KEYWAY_ADMIN_TOKEN"] = "admin-token-0123456789",
            ["KEYWAY_PORT"] = "9999",
            ["KEYWAY_KEY_WAIT_SECONDS"] = "15",
        });
        var config = await cli.JsonAsync("config", "show");
        Assert.Equal(9999, config.GetProperty("KEYWAY_PORT").GetInt32());
        Assert.Equal(15, config.GetProperty("KEYWAY_KEY_WAIT_SECONDS").GetInt32());
        Assert.Equal("a-…6789", config.GetProperty("KEYWAY_SECRET").GetString());
        Assert.DoesNotContain("secret-value", config.ToString());

        var shortToken = await new CliRunner(null, dir.Path, new Dictionary<string, string>
        {
            ["KEYWAY_SECRET"] = "a-very-secret-value-0123456789",
            ["KEYWAY_ADMIN_TOKEN"] = "abcdefghi",
        }).JsonAsync("config", "show");
        Assert.Equal("********", shortToken.GetProperty("KEYWAY_ADMIN_TOKEN").GetString());

        var invalid = await new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_PORT"] = "x" }).RunAsync("config", "show");
        Assert.Equal(2, invalid.ExitCode);
    }

    [Fact]
    public async Task ConfigShow_MasksThePasswordInTheOtlpEndpoint()
    {
        using var dir = new TempDirectory();
        var config = await new CliRunner(null, dir.Path, new Dictionary<string, string>
        {
            ["KEYWAY_OTLP_ENDPOINT"] = "http://collector:hunter2-pw@127.0.0.1:4318/",
        }).JsonAsync("config", "show");

        Assert.Equal("http://collector:****@127.0.0.1:4318/", config.GetProperty("KEYWAY_OTLP_ENDPOINT").GetString());
    }

    [Fact]
    public async Task ConfigShow_WithoutInstanceId_ShowsTheHostNameAndPortTheLogRowsCarry()
    {
        using var dir = new TempDirectory();
        var config = await new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_PORT"] = "9999" }).JsonAsync("config", "show");
        Assert.Equal($"{Environment.MachineName}:9999", config.GetProperty("KEYWAY_INSTANCE_ID").GetString());
    }

    [Fact]
    public async Task LogsAndStats_ShowProxiedRequests()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);
        using var reply = await bed.PostAsync("v1/chat/completions", $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","messages":[{"role":"user","content":"hi"}]}""");
        reply.EnsureSuccessStatusCode();
        await bed.WaitForLogsAsync(1);

        var logs = await cli.RunAsync("logs", "--tail", "5", "--alias", GatewayTestBed.OpenAIAlias, "--json");
        Assert.Equal(0, logs.ExitCode);
        var row = System.Text.Json.JsonDocument.Parse(logs.Out.Trim().Split('\n').Single()).RootElement;
        Assert.Equal(200, row.GetProperty("status_code").GetInt32());

        var stats = await cli.JsonAsync("stats", "--by", "key");
        Assert.Equal(1, stats.GetProperty("by_key")[0].GetProperty("requests").GetInt64());
        var table = await cli.RunAsync("stats", "--by", "alias");
        Assert.Contains(GatewayTestBed.OpenAIAlias, table.Out);
    }

    [Fact]
    public async Task StatsByKey_WithoutGroup_CoversEveryGroup()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);
        await CarolOfTeamCallsAsync(bed);
        await bed.WaitForLogsAsync(1);

        var stats = await cli.JsonAsync("stats", "--by", "key");
        var carol = stats.GetProperty("by_key").EnumerateArray().Single(row => row.GetProperty("name").GetString() == "carol");
        Assert.Equal(1, carol.GetProperty("requests").GetInt64());
        Assert.Contains("carol", (await cli.RunAsync("stats", "--by", "key")).Out);
    }

    [Fact]
    public async Task LogsKey_TakesAKeyByNameInTheGroup_ByIdFromAnyGroup_AndRefusesAnUnknownName()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);
        await CarolOfTeamCallsAsync(bed);
        (await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat)).EnsureSuccessStatusCode();
        await bed.WaitForLogsAsync(2);

        var byName = await cli.RunAsync("logs", "--key", "carol", "--group", "team", "--json");
        var row = JsonDocument.Parse(Assert.Single(byName.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        var carolId = row.GetProperty("api_key_id").GetString()!;
        var byId = await cli.RunAsync("logs", "--key", carolId, "--json");
        await cli.JsonAsync("key", "remove", carolId);
        var revoked = await cli.RunAsync("logs", "--key", carolId, "--json");
        var unknown = await cli.RunAsync("logs", "--key", "nobody", "--group", "team");

        Assert.Equal("team-alias", row.GetProperty("route_alias").GetString());
        Assert.Equal(byName.Out, byId.Out);
        Assert.Equal(byName.Out, revoked.Out);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("keyway: no key 'nobody' in group 'team', and no key or logged request has that id", unknown.Error.Trim());
    }

    [Fact]
    public async Task Logs_NameTheIssuedKeyOfEachRequest()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);
        await CarolOfTeamCallsAsync(bed);
        await bed.WaitForLogsAsync(1);

        var table = await cli.RunAsync("logs", "--group", "team");

        Assert.Equal(0, table.ExitCode);
        Assert.Matches(@"(?m)^\s*log_id\s.*\skey\s", table.Out);
        Assert.Contains(table.Out.Split('\n'), line => line.Contains("team-alias", StringComparison.Ordinal) && line.Contains(" carol ", StringComparison.Ordinal));
    }

    /// <summary>A group "team" with a route "team-alias" to the fake upstream, and its key "carol" calling it once.</summary>
    private static async Task CarolOfTeamCallsAsync(GatewayTestBed bed)
    {
        await AdminApi.CreateGroupAsync(bed.Admin, "team");
        await AdminApi.CreateProviderAsync(bed.Admin, "team", "team-openai", new Uri(bed.Upstream.BaseAddress, "v1").ToString(), "openai");
        await AdminApi.CreateRouteAsync(bed.Admin, "team", "team-alias", "team-openai", GatewayTestBed.OpenAIModel);
        var carol = await AdminApi.CreateKeyAsync(bed.Admin, "team", "carol");
        using var reply = await bed.PostWithAuthAsync(
            "v1/chat/completions", GatewayTestBed.OpenAIChat.Replace(GatewayTestBed.OpenAIAlias, "team-alias"), new AuthenticationHeaderValue("Bearer", carol));
        reply.EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("postgres://keyway:hunter2-pw@127.0.0.1:5432/keyway", "postgres://keyway:****@127.0.0.1:5432/keyway")]
    [InlineData("Host=127.0.0.1;Username=keyway;Password=hunter2-pw;Database=keyway", "Host=127.0.0.1;Username=keyway;Password=****;Database=keyway")]
    [InlineData("Host=127.0.0.1;Password=\"a;hunter2-pw\";Database=keyway", "Host=127.0.0.1;Password=****;Database=keyway")]
    [InlineData("Host=127.0.0.1;Password='it''s;hunter2' ;Database=keyway", "Host=127.0.0.1;Password=****;Database=keyway")]
    [InlineData("Host=127.0.0.1;Username=keyway;SSL Password=hunter2-pw", "Host=127.0.0.1;Username=keyway;SSL Password=****")]
    [InlineData("postgres://keyway:hunter2-pw@127.0.0.1:5432/keyway?sslmode=require&sslpassword=hunter2-ssl",
        "postgres://keyway:****@127.0.0.1:5432/keyway?sslmode=require&sslpassword=****")]
    public async Task ConfigShow_ListsEveryVariable_DatabasePasswordMasked(string url, string shown)
    {
        using var dir = new TempDirectory();
        var config = await new CliRunner(null, dir.Path, new Dictionary<string, string>
        {
            ["KEYWAY_DATABASE_URL"] = url,
            ["KEYWAY_INSTANCE_ID"] = "gw-1",
            ["KEYWAY_DRAIN_SECONDS"] = "7",
        }).JsonAsync("config", "show");
        Assert.Equal(shown, config.GetProperty("KEYWAY_DATABASE_URL").GetString());
        Assert.DoesNotContain("hunter2", config.ToString());
        Assert.Equal("gw-1", config.GetProperty("KEYWAY_INSTANCE_ID").GetString());
        Assert.Equal(7, config.GetProperty("KEYWAY_DRAIN_SECONDS").GetInt32());
        foreach (var name in new[] { "KEYWAY_LOG_TOOL_QUERIES", "KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS", "KEYWAY_MAX_HEADER_KB", "KEYWAY_HEADERS_TIMEOUT_SECONDS", "KEYWAY_MIN_DATA_RATE", "KEYWAY_MAX_CONNECTIONS", "KEYWAY_WEBSOCKET_IDLE_SECONDS", "KEYWAY_WEBSOCKETS_PER_KEY" })
        {
            Assert.True(config.TryGetProperty(name, out _), name);
        }
    }

    [Fact]
    public async Task LogsFollow_PrintsRowsThatArriveAfterItStarted()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);
        var body = $$"""{"model":"{{GatewayTestBed.OpenAIAlias}}","messages":[{"role":"user","content":"hi"}]}""";
        (await bed.PostAsync("v1/chat/completions", body)).EnsureSuccessStatusCode();
        await bed.WaitForLogsAsync(1);
        var output = new LiveText();
        var time = new FakeTimeProvider();
        using var stop = new CancellationTokenSource();
        var following = cli.RunAsync(cli.Context(output.Writer, TextWriter.Null) with { Time = time }, ["logs", "--follow", "--json"], stop.Token);
        await PollUntilAsync(time, following, () => output.Lines().Length > 0);

        (await bed.PostAsync("v1/chat/completions", body)).EnsureSuccessStatusCode();
        await bed.WaitForLogsAsync(2);
        await PollUntilAsync(time, following, () => output.Lines().Length >= 2);
        await stop.CancelAsync();

        Assert.Equal(0, await following);
        var rows = output.Lines().Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(2, rows.Count);
        Assert.True(rows[1].GetProperty("log_id").GetInt64() > rows[0].GetProperty("log_id").GetInt64());
    }

    [Fact]
    public async Task LogsFollow_WaitsThroughARestart_ThenPrintsEveryRowLoggedMeanwhile()
    {
        using var dir = new TempDirectory();
        var first = await KeywayServer.StartAsync(dir.Path);
        var port = first.BaseAddress.Port;
        await RequestLogAdminTests.InsertAsync(first, LogTestData.Entry(DateTimeOffset.UtcNow));
        var cli = new CliRunner(first, dir.Path);
        var output = new LiveText();
        var errors = new LiveText();
        var time = new FakeTimeProvider();
        using var stop = new CancellationTokenSource();
        var following = cli.RunAsync(cli.Context(output.Writer, errors.Writer) with { Time = time }, ["logs", "--follow", "--json"], stop.Token);
        await PollUntilAsync(time, following, () => output.Lines().Length > 0);

        await first.DisposeAsync();
        await PollUntilAsync(time, following, () => errors.Lines().Length > 0);
        Assert.Contains("no Keyway gateway answers", errors.Lines()[0]);
        await using var second = await KeywayServer.StartAsync(dir.Path, options => options with { Port = port });
        // More rows than one page of the admin API (500) arrive between two polls.
        await RequestLogAdminTests.InsertAsync(second, [.. Enumerable.Range(0, 600).Select(_ => LogTestData.Entry(DateTimeOffset.UtcNow))]);
        await PollUntilAsync(time, following, () => output.Lines().Length >= 601);
        await stop.CancelAsync();

        Assert.Equal(0, await following);
        var ids = output.Lines().Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("log_id").GetInt64()).ToList();
        Assert.Equal(601, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal("keyway: the gateway answers again", errors.Lines()[^1]);
    }

    /// <summary>Text a running command writes, read by the test while it runs.</summary>
    private sealed class LiveText
    {
        private readonly StringWriter _buffer = new();

        public LiveText() => Writer = TextWriter.Synchronized(_buffer);

        public TextWriter Writer { get; }

        // The synchronized writer locks itself (MethodImplOptions.Synchronized) around each write.
        public string[] Lines()
        {
            lock (Writer)
            {
                return _buffer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    /// <summary>Moves the command's clock a poll at a time until <paramref name="done"/>, the command ends or 30 s pass.</summary>
    private static async Task PollUntilAsync(FakeTimeProvider time, Task following, Func<bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!done() && !following.IsCompleted && !deadline.IsCancellationRequested)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task E2e_ReportsEveryRoute_AndExits1OnFailure()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);
        var passing = await cli.JsonAsync("e2e");
        Assert.Equal("PASS (2/2)", passing.GetProperty("summary").GetString());
        Assert.All(passing.GetProperty("results").EnumerateArray(), result => Assert.False(string.IsNullOrEmpty(result.GetProperty("key").GetString())));

        await cli.JsonAsync("provider", "add", "dead", "--base-url", "http://127.0.0.1:1/v1", "--api-key", "sk-dead-0123456789");
        await cli.JsonAsync("route", "add", "broken", "--provider", "dead", "--model", "m");
        var failing = await cli.RunAsync("e2e");
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("FAIL (2/3)", failing.Out);
        Assert.Contains("broken", failing.Out);
    }

    /// <summary>
    /// On a terminal the progress bar is drawn for people, on stderr: stdout holds only the answer, so `keyway e2e --json`
    /// parses and `keyway e2e | head` reads the table alone.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task E2e_OnATerminal_WritesNoProgressToStdout(bool json)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);
        var output = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        string[] args = json ? ["e2e", "--json"] : ["e2e"];

        var exit = await cli.RunAsync(cli.Context(output, new StringWriter()) with { Console = terminal }, args, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.DoesNotContain($"default/{GatewayTestBed.OpenAIAlias}", output.ToString());
        Assert.DoesNotContain("\u001b[?25l", output.ToString());
        if (json)
        {
            Assert.Equal("PASS (2/2)", JsonDocument.Parse(output.ToString()).RootElement.GetProperty("summary").GetString());
        }
    }

    [Fact]
    public async Task E2e_GroupWithoutEnabledRoutes_SaysNothingWasTested_AndExits4()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);
        var cli = new CliRunner(server, dir.Path);
        await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "sk-p1-0123456789");
        await cli.JsonAsync("route", "add", "off", "--provider", "p1", "--model", "m");
        await cli.JsonAsync("route", "edit", "off", "--enabled", "false");

        var result = await cli.RunAsync("e2e", "--group", "default");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("nothing to test: group 'default' has no enabled route", result.Error);
        Assert.DoesNotContain("PASS", result.Out);
    }

    [Fact]
    public async Task E2e_UnknownGroup_IsTheGatewaysNotFound()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);

        var result = await new CliRunner(server, dir.Path).RunAsync("e2e", "--group", "nope");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("group not found: nope", result.Error);
    }
}
