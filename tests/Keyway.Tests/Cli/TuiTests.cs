using System.Text.Json;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// `keyway tui` driven by scripted keys against a real in-process gateway with a fake upstream; every change is checked
/// through the admin API. Main menu: 0 dashboard, 1 providers, 2 routes, 3 unified model, 4 issued keys, 5 service, 6 clients.
/// </summary>
public sealed class TuiTests
{
    private const string SpareSecret = "sk-spare-secret-0123456789";

    [Fact]
    public async Task IssuedKeys_CreateShowsThePlaintextOnce()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        using var tui = new TuiDriver();
        tui.Choose(4).Enter().Type("tui-laptop").Enter().Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        var keys = (await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/keys")).Body.GetProperty("keys").EnumerateArray();
        var keyId = keys.Single(k => k.GetProperty("name").GetString() == "tui-laptop").GetProperty("key_id").GetString();
        var plaintext = (await AdminApi.GetAsync(bed.Admin, $"admin/llm/keys/{keyId}/plaintext")).Body.GetProperty("plaintext").GetString()!;
        Assert.StartsWith("db_sk_", plaintext);
        Assert.Single(Occurrences(output, plaintext));
        Assert.True(output.LastIndexOf("tui-laptop", StringComparison.Ordinal) > output.IndexOf(plaintext, StringComparison.Ordinal), "the list after creation names the key");
        Assert.Contains($"keyway key reveal {keyId}", output);
        Assert.DoesNotContain("{key_id}", output);
    }

    [Fact]
    public async Task IssuedKeys_ShowItsPlaintext_ShowsTheKeyAgain()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        using var tui = new TuiDriver();
        // issued keys → the bed's "test key" (after "+ Create a key") → Show its plaintext.
        tui.Choose(4).Choose(1).Choose(1).Enter().Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        Assert.Contains(bed.Key, output);
    }

    [Fact]
    public async Task IssuedKeys_At80Columns_ShowExpiryAndState_ShorteningALongNameInstead()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        const string longName = "a-very-long-key-name-for-the-build-server-of-team-x";
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", new { name = longName, enabled = false });
        var carol = await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", new { name = "carol" });
        await bed.Server.PassExpiryAsync(carol.GetProperty("key").GetProperty("key_id").GetString()!);
        using var tui = new TuiDriver();
        tui.Choose(4).Resize(80, 24).Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        var screen = tui.ScreenAfterResize;
        Assert.True(screen is not null, $"not redrawn after the resize:\n{output}");
        var disabled = Assert.Single(screen, line => line.Contains("a-very-long", StringComparison.Ordinal));
        Assert.EndsWith("(disabled)", disabled.TrimEnd());
        var expired = Assert.Single(screen, line => line.Contains("carol", StringComparison.Ordinal));
        Assert.Contains("2020-01-01", expired);
        Assert.EndsWith("(expired)", expired.TrimEnd());
    }

    [Fact]
    public async Task Providers_AKeyCooledForOneModel_NamesTheModelAndUntilWhen_WithoutCallingTheKeyDown()
    {
        await using var pool = await KeyPoolBed.StartAsync("priority", "a", "b");
        using var dir = new TempDirectory();
        pool.Upstream.ReplyForKey(KeyPoolBed.Secret("a"), FakeReply.OpenAIError(
            429, $"Rate limit reached for {GatewayTestBed.OpenAIModel} in organization org-x", "requests", "rate_limit_exceeded",
            new Dictionary<string, string> { ["Retry-After"] = "30" }), times: 1);
        Assert.Equal(200, await pool.ChatStatusAsync());
        var until = pool.Clock.GetUtcNow().AddSeconds(30).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var providers = await FieldsAsync(pool.Bed, "providers", "provider_id");
        using var tui = new TuiDriver();
        tui.Choose(1).Choose(providers.IndexOf(GatewayTestBed.OpenAIProvider)).Quit();

        var output = await tui.RunAsync(new CliRunner(pool.Bed.Server, dir.Path));

        var provider = output.Split('\n').First(line => line.Contains($"{GatewayTestBed.OpenAIProvider} ", StringComparison.Ordinal) && line.Contains("key(s)", StringComparison.Ordinal));
        Assert.Contains("2 key(s), 1 cooling for some models", provider);
        Assert.Contains($"cooling for {GatewayTestBed.OpenAIModel} until {until} UTC", output);
    }

    [Fact]
    public async Task UnifiedModel_SwitchModelThenKey()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var routes = await FieldsAsync(bed, "routes", "alias");
        using var tui = new TuiDriver();
        tui.Choose(3)
            .Choose(0).Choose(routes.IndexOf(GatewayTestBed.AnthropicAlias)).Enter()
            .Choose(1).Choose(1).Enter()
            .Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        var unified = (await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/unified")).Body.GetProperty("unified");
        Assert.Equal(GatewayTestBed.AnthropicAlias, unified.GetProperty("route_alias").GetString());
        Assert.Equal("default", unified.GetProperty("key_name").GetString());
        Assert.Contains($"unified-model → {GatewayTestBed.AnthropicAlias} (key: default)", output);
    }

    [Fact]
    public async Task Dashboard_ShowsARequestThatWasMade_AndEscGoesBack()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        (await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat)).EnsureSuccessStatusCode();
        await bed.WaitForLogsAsync(1);
        using var tui = new TuiDriver();
        tui.Enter().Esc().Enter().Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        var lastRequests = output[output.IndexOf("last requests", StringComparison.Ordinal)..];
        var row = lastRequests.Split('\n').First(line => line.Contains(GatewayTestBed.OpenAIAlias, StringComparison.Ordinal));
        Assert.Contains(GatewayTestBed.OpenAIProvider, row);
        Assert.Contains("200", row);
        Assert.Contains("test key", row);
        Assert.Contains("every key is usable", output);
        Assert.Equal(2, Occurrences(output, "Keyway · main menu").Count);
    }

    [Fact]
    public async Task Menu_ResizedTerminal_IsRedrawnAtTheNewWidthBeforeTheNextKey()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        using var tui = new TuiDriver();
        tui.Resize(60, 20).Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        var screen = tui.ScreenAfterResize;
        Assert.True(screen is not null, $"not redrawn after the resize:\n{output}");
        Assert.Equal(TuiDriver.TitleRule("main menu", 60), screen[0]);
        Assert.Contains("> Dashboard (live)", screen);
        Assert.All(screen, line => Assert.True(line.Length <= 60, $"wider than the terminal: {line}"));
    }

    [Fact]
    public async Task Menu_IsNotRedrawn_WhileNothingChanges()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        using var tui = new TuiDriver();
        tui.Pause(TimeSpan.FromSeconds(1)).Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        Assert.Single(Occurrences(output, "Keyway · main menu"));
    }

    [Fact]
    public async Task Dashboard_ResizedTerminal_IsRedrawnAtTheNewWidthAndHeight()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        (await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat)).EnsureSuccessStatusCode();
        await bed.WaitForLogsAsync(1);
        using var tui = new TuiDriver();
        tui.Enter().Resize(60, 14).Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        // Laid out for the shorter terminal, not cut by the live display: from the title to the hints, the request shown.
        var screen = tui.ScreenAfterResize;
        Assert.True(screen is not null, $"not redrawn after the resize:\n{output}");
        Assert.True(screen.Count <= 14, $"{screen.Count} lines in a 14-line terminal:\n{string.Join('\n', screen)}");
        Assert.Equal(TuiDriver.TitleRule("dashboard", 60), screen[0]);
        Assert.StartsWith("r refresh now", screen[^1]);
        Assert.Contains(screen, line => line.Contains(GatewayTestBed.OpenAIAlias, StringComparison.Ordinal) && line.Contains("200", StringComparison.Ordinal));
        Assert.All(screen, line => Assert.True(line.Length <= 60, $"wider than the terminal: {line}"));
    }

    [Fact]
    public async Task Dashboard_TwelveProvidersWithRestingKeys_FitsA24LineTerminal()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        const int down = 12;
        for (var i = 1; i <= down; i++)
        {
            var secret = $"sk-down-{i:00}-0123456789";
            await AdminApi.CreateProviderAsync(bed.Admin, "default", $"down-{i:00}", new Uri(bed.Upstream.BaseAddress, "v1").ToString(), apiKey: secret);
            await AdminApi.CreateRouteAsync(bed.Admin, "default", $"down-{i:00}", $"down-{i:00}", "m");
            bed.Upstream.ReplyForKey(secret, FakeReply.OpenAIError(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"));
            (await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat.Replace(GatewayTestBed.OpenAIAlias, $"down-{i:00}"))).Dispose();
        }
        (await bed.PostAsync("v1/chat/completions", GatewayTestBed.OpenAIChat)).EnsureSuccessStatusCode();
        await bed.WaitForLogsAsync(down + 1);
        using var tui = new TuiDriver();
        tui.Enter().Resize(80, 24).Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        var screen = tui.ScreenAfterResize;
        Assert.True(screen is not null, $"not redrawn after the resize:\n{output}");
        var shown = string.Join('\n', screen);
        Assert.True(screen.Count <= 24, $"{screen.Count} lines in a 24-line terminal:\n{shown}");
        Assert.Equal(TuiDriver.TitleRule("dashboard", 80), screen[0]);
        Assert.StartsWith("r refresh now", screen[^1]);
        Assert.Contains(screen, line => line.Contains(GatewayTestBed.OpenAIAlias, StringComparison.Ordinal) && line.Contains("200", StringComparison.Ordinal));
        var listed = screen.Count(line => line.StartsWith("down-", StringComparison.Ordinal));
        var more = screen.SingleOrDefault(line => line.StartsWith('+'));
        Assert.True(more is not null && more.StartsWith($"+{down - listed} more", StringComparison.Ordinal), $"{listed} keys listed, and no count of the rest:\n{shown}");
        Assert.Contains("older with errors", Assert.Single(screen, line => line.StartsWith("last requests", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ProvidersAndRoutes_ChangedThroughTheMenus()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var providers = await FieldsAsync(bed, "providers", "provider_id");
        using var tui = new TuiDriver();
        // providers → fake-openai → Test, its key "default" → Disable, + Add an upstream key; back to the main menu.
        tui.Choose(1).Choose(providers.IndexOf(GatewayTestBed.OpenAIProvider)).Choose(3).Enter().Choose(0).Choose(0);
        tui.Choose(1).Type("spare").Type(SpareSecret).Esc().Esc();
        // routes → + Add: alias, provider, model.
        tui.Choose(2).Choose(0).Type("tui-route").Choose(providers.IndexOf(GatewayTestBed.AnthropicProvider)).Type("tui-model").Enter().Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        Assert.Contains("OK: status 200", output);
        var provider = (await AdminApi.GetAsync(bed.Admin, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}")).Body.GetProperty("provider");
        var keys = provider.GetProperty("api_keys").EnumerateArray().ToList();
        Assert.False(keys[0].GetProperty("enabled").GetBoolean());
        Assert.Equal("spare", keys[1].GetProperty("name").GetString());
        Assert.DoesNotContain(SpareSecret, output);
        var route = (await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/default/routes")).Body.GetProperty("routes").EnumerateArray()
            .Single(r => r.GetProperty("alias").GetString() == "tui-route");
        Assert.Equal(GatewayTestBed.AnthropicProvider, route.GetProperty("provider_id").GetString());
        Assert.Equal("tui-model", route.GetProperty("upstream_model").GetString());
    }

    [Fact]
    public async Task PoolKey_MovedUp_IsTriedFirst()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        await AdminApi.OkAsync(bed.Admin, HttpMethod.Post, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}/keys", new { name = "spare", api_key = SpareSecret });
        var providers = await FieldsAsync(bed, "providers", "provider_id");
        using var tui = new TuiDriver();
        // providers → fake-openai → its second key "spare" → Move up (after Disable and Reset its cooldown).
        tui.Choose(1).Choose(providers.IndexOf(GatewayTestBed.OpenAIProvider)).Choose(1).Choose(2).Esc().Esc().Quit();

        await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        var provider = (await AdminApi.GetAsync(bed.Admin, $"admin/llm/providers/{GatewayTestBed.OpenAIProvider}")).Body.GetProperty("provider");
        Assert.Equal(["spare", "default"], provider.GetProperty("api_keys").EnumerateArray().Select(key => key.GetProperty("name").GetString()));
        Assert.True(provider.GetProperty("api_keys")[0].GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task ServiceStatusAndClientSetup_RunTheCliCommands()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        using var tui = new TuiDriver();
        // service → Status; clients → Claude Code (the directory field starts at the working directory) and Shell.
        tui.Choose(5).Choose(0).Enter().Esc();
        tui.Choose(6).Choose(0).Enter().Enter().Choose(2).Enter().Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        Assert.Contains(AppVersion.Current, output);
        Assert.Contains($"export OPENAI_BASE_URL='{bed.Server.BaseAddress.ToString().TrimEnd('/')}/v1'", output);
        var settings = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, ".claude", "settings.local.json"))).RootElement;
        Assert.Equal(bed.Server.BaseAddress.ToString().TrimEnd('/'), settings.GetProperty("env").GetProperty("ANTHROPIC_BASE_URL").GetString());
    }

    [Fact]
    public async Task Message_TallerThanTheTerminal_ScrollsWithinIt_TitleAndHintKept()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        using var tui = new TuiDriver();
        // clients → Shell: nine export lines, each wider than 40 columns.
        tui.Choose(6).Choose(2).Resize(40, 10).End().Resize(40, 11).Quit();

        var output = await tui.RunAsync(new CliRunner(bed.Server, dir.Path));

        Assert.Equal(2, tui.ScreensAfterResizes.Count);
        var (top, bottom) = (tui.ScreensAfterResizes[0], tui.ScreensAfterResizes[1]);
        Assert.True(top is not null && bottom is not null, $"not redrawn after a resize:\n{output}");
        foreach (var (screen, height) in new[] { (top, 10), (bottom, 11) })
        {
            Assert.True(screen.Count <= height, $"{screen.Count} lines in a {height}-line terminal:\n{string.Join('\n', screen)}");
            Assert.Equal(TuiDriver.TitleRule("connect env", 40), screen[0]);
            Assert.StartsWith("up/down", screen[^1]);
            Assert.All(screen, line => Assert.True(line.Length <= 40, $"wider than the terminal: {line}"));
        }
        Assert.Contains(top, line => line.StartsWith("issued key", StringComparison.Ordinal));
        Assert.Contains(top, line => line.TrimStart().StartsWith("↓", StringComparison.Ordinal));
        Assert.Contains(bottom, line => line.Contains("ANTHROPIC_DEFAULT_HAIKU_MODEL", StringComparison.Ordinal));
        Assert.Contains(bottom, line => line.TrimStart().StartsWith("↑", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAnInteractiveTerminal_Exits2()
    {
        using var dir = new TempDirectory();
        var result = await new CliRunner(null, dir.Path, new Dictionary<string, string> { ["KEYWAY_ADMIN_TOKEN"] = "x" }).RunAsync("tui");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("interactive terminal", result.Error);
    }

    /// <summary>One field of each item of a default-group list, in the order the admin API (and so the TUI) lists them.</summary>
    private static async Task<List<string?>> FieldsAsync(GatewayTestBed bed, string collection, string field) =>
        (await AdminApi.GetAsync(bed.Admin, $"admin/llm/groups/default/{collection}")).Body.GetProperty(collection).EnumerateArray()
            .Select(item => item.GetProperty(field).GetString()).ToList();

    private static List<int> Occurrences(string text, string part)
    {
        var found = new List<int>();
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            found.Add(at);
        }
        return found;
    }
}
