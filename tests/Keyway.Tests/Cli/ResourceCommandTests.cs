using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>group, provider, route, key and unified commands against the real admin API.</summary>
public sealed class ResourceCommandTests
{
    [Theory]
    [InlineData("group", "frob")]
    [InlineData("nonsense")]
    [InlineData("key", "create")]
    [InlineData("key", "edit", "X", "--rpm", "abc")]
    [InlineData("stats", "--by", "bogus")]
    public async Task BadCommandLine_Exits2(params string[] args)
    {
        using var dir = new TempDirectory();
        var result = await new CliRunner(null, dir.Path).RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.NotEmpty(result.Error);
    }

    [Theory]
    [InlineData("add")]
    [InlineData("edit")]
    public async Task ProviderHelp_NamesTheRoutingModesTheAdminApiAccepts(string subcommand)
    {
        using var dir = new TempDirectory();
        var help = await new CliRunner(null, dir.Path).RunAsync("provider", subcommand, "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("round_robin, priority or only_first", help.Out);
        Assert.DoesNotContain("failover", help.Out);
    }

    [Fact]
    public async Task Group_AddListEditRemove()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);

        var added = await cli.JsonAsync("group", "add", "team-a", "--note", "first");
        Assert.Equal("team-a", added.GetProperty("group").GetProperty("name").GetString());
        var edited = await cli.JsonAsync("group", "edit", "team-a", "--name", "Team A", "--enabled", "false");
        Assert.Equal("Team A", edited.GetProperty("group").GetProperty("name").GetString());
        Assert.False(edited.GetProperty("group").GetProperty("enabled").GetBoolean());
        Assert.Equal("first", edited.GetProperty("group").GetProperty("note").GetString());

        var list = await cli.JsonAsync("group", "list");
        Assert.Equal(["default", "team-a"], list.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group_id").GetString()).Order());
        var table = await cli.RunAsync("group", "list");
        Assert.Contains("Team A", table.Out);

        await cli.JsonAsync("group", "remove", "team-a");
        var missing = await cli.RunAsync("group", "show", "team-a");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("keyway: group not found: team-a", missing.Error.Trim());
    }

    [Fact]
    public async Task ProviderRouteKey_AreCreatedAndUsable()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);

        var provider = await cli.JsonAsync("provider", "add", "deepseek", "--base-url", "https://api.deepseek.com/v1",
            "--api-key", "main=sk-first-0123456789", "--api-key", "sk-second-0123456789");
        var keys = provider.GetProperty("provider").GetProperty("api_keys").EnumerateArray().ToList();
        Assert.Equal(["main", "key-2"], keys.Select(k => k.GetProperty("name").GetString()));
        Assert.DoesNotContain("first-0123", provider.ToString());
        await cli.JsonAsync("provider", "add", "backup", "--base-url", "https://backup.example/v1", "--api-key", "sk-backup-0123456789");

        var route = await cli.JsonAsync("route", "add", "chat", "--provider", "deepseek", "--model", "deepseek-chat", "--fallback", "backup:other-model");
        Assert.Equal("deepseek-chat", route.GetProperty("route").GetProperty("upstream_model").GetString());
        var shown = await cli.JsonAsync("route", "show", "chat");
        var fallback = Assert.Single(shown.GetProperty("route").GetProperty("fallbacks").EnumerateArray());
        Assert.Equal("other-model", fallback.GetProperty("upstream_model").GetString());
        Assert.Contains("backup:other-model", (await cli.RunAsync("route", "show", "chat")).Out);
        await cli.JsonAsync("route", "edit", "chat", "--model", "deepseek-reasoner");
        var routes = await cli.JsonAsync("route", "list");
        Assert.Equal("deepseek-reasoner", Assert.Single(routes.GetProperty("routes").EnumerateArray()).GetProperty("upstream_model").GetString());

        var created = await cli.RunAsync("key", "create", "alice");
        Assert.Equal(0, created.ExitCode);
        var plaintext = created.Out.Split('\n')[0].Trim();
        Assert.StartsWith("db_sk_", plaintext);
        using var client = server.ClientWithKey(plaintext);
        var models = await AdminApi.GetAsync(client, "v1/models");
        Assert.Equal("chat", Assert.Single(models.Body.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());

        var keyList = await cli.JsonAsync("key", "list");
        var keyId = Assert.Single(keyList.GetProperty("keys").EnumerateArray()).GetProperty("key_id").GetString()!;
        await cli.JsonAsync("key", "edit", keyId, "--enabled", "false");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await AdminApi.GetAsync(client, "v1/models")).Status);

        await cli.JsonAsync("route", "remove", "chat");
        Assert.Empty((await cli.JsonAsync("route", "list")).GetProperty("routes").EnumerateArray());
    }

    [Fact]
    public async Task Unified_SwitchModelThenKey()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "a=sk-a-0123456789", "--api-key", "b=sk-b-0123456789");
        await cli.JsonAsync("route", "add", "fast", "--provider", "p1", "--model", "m-fast");
        await cli.JsonAsync("route", "add", "slow", "--provider", "p1", "--model", "m-slow");

        Assert.Equal(JsonValueKind.Null, (await cli.JsonAsync("unified", "show")).GetProperty("unified").ValueKind);
        await cli.JsonAsync("unified", "switch-model", "fast");
        var pinned = await cli.JsonAsync("unified", "switch-key", "b");
        Assert.Equal("b", pinned.GetProperty("unified").GetProperty("key_name").GetString());
        var switched = await cli.JsonAsync("unified", "switch-model", "slow");
        Assert.Equal("slow", switched.GetProperty("unified").GetProperty("route_alias").GetString());
        Assert.Equal("b", switched.GetProperty("unified").GetProperty("key_name").GetString());
        var auto = await cli.JsonAsync("unified", "switch-key", "auto");
        Assert.Equal(JsonValueKind.Null, auto.GetProperty("unified").GetProperty("key_name").ValueKind);

        var text = await cli.RunAsync("unified", "show");
        Assert.Equal("unified-model → slow (key: auto)", text.Out.Trim());
    }

    [Fact]
    public async Task Key_ShowEditUsageRemove_TakeANameInTheGroup_AndRefuseANameSeveralKeysShare()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        await cli.JsonAsync("key", "create", "alice");
        string[] bobIds = [KeyId(await cli.JsonAsync("key", "create", "bob")), KeyId(await cli.JsonAsync("key", "create", "bob"))];
        await cli.JsonAsync("group", "add", "team-a");
        var carolId = KeyId(await cli.JsonAsync("key", "create", "carol", "--group", "team-a"));

        var edited = await cli.JsonAsync("key", "edit", "alice", "--rpm", "5");
        var shown = await cli.JsonAsync("key", "show", "carol", "--group", "team-a");
        var usage = await cli.RunAsync("key", "usage", "alice");
        var shared = await cli.RunAsync("key", "edit", "bob", "--rpm", "5");
        var elsewhere = await cli.RunAsync("key", "show", "carol");

        Assert.Equal(5, edited.GetProperty("key").GetProperty("rpm").GetInt32());
        Assert.Equal(carolId, shown.GetProperty("key").GetProperty("key_id").GetString());
        Assert.Equal(0, usage.ExitCode);
        Assert.Equal(2, shared.ExitCode);
        Assert.Contains($"'bob' is the name of 2 keys in group 'default': {string.Join(", ", bobIds.Order(StringComparer.Ordinal))}", shared.Error);
        Assert.Equal(1, elsewhere.ExitCode);
        Assert.Equal("carol", (await cli.JsonAsync("key", "show", carolId)).GetProperty("key").GetProperty("name").GetString());
        await cli.JsonAsync("key", "remove", "alice");
        Assert.Equal(["bob", "bob"], (await cli.JsonAsync("key", "list")).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Refusals_PrintTheGatewaysMessage_WithoutTheRequest()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        await cli.JsonAsync("key", "create", "carol");

        var badRpm = await cli.RunAsync("key", "edit", "carol", "--rpm", "-5");
        var unknown = await cli.RunAsync("key", "show", "nosuch");

        Assert.Equal(1, badRpm.ExitCode);
        Assert.StartsWith("keyway: rpm must be", badRpm.Error);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("keyway: key not found: nosuch", unknown.Error.Trim());
    }

    [Fact]
    public async Task KeyList_ShowsEachKeysExpiry_AndAStateThatSaysExpiredOrDisabled()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        var carol = await cli.JsonAsync("key", "create", "carol");
        await server.PassExpiryAsync(carol.GetProperty("key").GetProperty("key_id").GetString()!);
        await cli.JsonAsync("key", "create", "dave", "--enabled", "false");
        await cli.JsonAsync("key", "create", "erin", "--expires-at", "2999-01-01T00:00:00Z");

        var lines = (await cli.RunAsync("key", "list")).Out.Split('\n');

        Assert.Matches(@"\sstate\s+expires_at\s", Assert.Single(lines, line => line.TrimStart().StartsWith("key_id", StringComparison.Ordinal)));
        string Row(string name) => Assert.Single(lines, line => line.Contains($" {name} ", StringComparison.Ordinal));
        Assert.Matches(@" expired +2020-01-01", Row("carol"));
        Assert.Matches(@" disabled +- ", Row("dave"));
        Assert.Matches(@" active +2999-01-01", Row("erin"));
    }

    [Fact]
    public async Task KeyReveal_PrintsAnIssuedKeysPlaintextAgain_AsCreateSays()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);

        var created = await cli.RunAsync("key", "create", "alice");
        var plaintext = created.Out.Split('\n')[0].Trim();
        var keyId = KeyId(await cli.JsonAsync("key", "show", "alice"));
        var revealed = await cli.RunAsync("key", "reveal", "alice");
        var json = await cli.JsonAsync("key", "reveal", keyId);

        Assert.StartsWith("db_sk_", plaintext);
        Assert.DoesNotContain("{key_id}", created.Out);
        Assert.Contains($"keyway key reveal {keyId}", created.Out);
        Assert.Equal(0, revealed.ExitCode);
        Assert.Equal(plaintext, revealed.Out.Trim());
        Assert.Equal(plaintext, json.GetProperty("plaintext").GetString());
    }

    [Fact]
    public async Task RouteEdit_Fallback_ReplacesTheFallbacksInOrder_AndAnEmptyOneClearsThem()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        foreach (var id in (string[])["p1", "p2", "p3"])
        {
            await cli.JsonAsync("provider", "add", id, "--base-url", $"https://{id}.example/v1", "--api-key", $"sk-{id}-0123456789");
        }
        await cli.JsonAsync("route", "add", "chat", "--provider", "p1", "--model", "m", "--fallback", "p2");

        await cli.JsonAsync("route", "edit", "chat", "--fallback", "p3:other", "--fallback", "p2");
        var replaced = await FallbacksAsync(cli);
        await cli.JsonAsync("route", "edit", "chat", "--note", "kept");
        var untouched = await FallbacksAsync(cli);
        await cli.JsonAsync("route", "edit", "chat", "--fallback", "");
        var cleared = await FallbacksAsync(cli);

        Assert.Equal(["p3:other", "p2:m"], replaced);
        Assert.Equal(replaced, untouched);
        Assert.Empty(cleared);
    }

    private static async Task<List<string>> FallbacksAsync(CliRunner cli) =>
        (await cli.JsonAsync("route", "show", "chat")).GetProperty("route").GetProperty("fallbacks").EnumerateArray()
            .OrderBy(f => f.GetProperty("priority").GetInt32())
            .Select(f => $"{f.GetProperty("provider_id").GetString()}:{f.GetProperty("upstream_model").GetString()}").ToList();

    [Fact]
    public async Task ProviderAddAndEdit_SetTheFailoverKnobsAndExtraHeaders()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        const string orgSecret = "org-secret-0123456789";

        var added = (await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "sk-p1-0123456789",
            "--max-retries", "3", "--key-failure-threshold", "2", "--key-cooldown-seconds", "30", "--extra-header", $"X-Org={orgSecret}")).GetProperty("provider");
        var edited = (await cli.JsonAsync("provider", "edit", "p1", "--max-retries", "0", "--extra-header", "")).GetProperty("provider");

        Assert.Equal(3, added.GetProperty("max_retries").GetInt32());
        Assert.Equal(2, added.GetProperty("key_failure_threshold").GetInt32());
        Assert.Equal(30, added.GetProperty("key_cooldown_seconds").GetInt32());
        Assert.NotEqual(orgSecret, added.GetProperty("extra_headers").GetProperty("X-Org").GetString());
        Assert.Equal(0, edited.GetProperty("max_retries").GetInt32());
        Assert.Equal(30, edited.GetProperty("key_cooldown_seconds").GetInt32());
        Assert.Empty(edited.GetProperty("extra_headers").EnumerateObject());
    }

    private static string KeyId(JsonElement created) => created.GetProperty("key").GetProperty("key_id").GetString()!;

    [Fact]
    public async Task RouteRemove_OfTheUnifiedModelsRoute_IsRefused_NamingTheUnifiedModelAndHowToRepointIt()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "sk-a-0123456789");
        await cli.JsonAsync("route", "add", "fast", "--provider", "p1", "--model", "m-fast");
        await cli.JsonAsync("unified", "switch-model", "fast");

        var refused = await cli.RunAsync("route", "remove", "fast");

        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("keyway: route 'fast' is the route the unified model 'unified-model' of group 'default' points at", refused.Error);
        Assert.Contains("keyway unified switch-model ROUTE", refused.Error);
        Assert.Equal("fast", (await cli.JsonAsync("unified", "show")).GetProperty("unified").GetProperty("route_alias").GetString());
    }
}
