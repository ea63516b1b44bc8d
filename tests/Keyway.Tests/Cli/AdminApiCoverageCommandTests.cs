using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// Commands for what the admin API offered and the CLI did not: tool providers, copying a group, testing one provider or
/// one route, and returning a provider's failover knobs to the global default.
/// </summary>
public sealed class AdminApiCoverageCommandTests
{
    [Fact]
    public async Task ToolProvider_AddListShowEditTestRemove()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        await using var tavily = await FakeTavily.StartAsync();
        var cli = new CliRunner(server, dir.Path);

        var added = await cli.JsonAsync("tool-provider", "add", "search", "--name", "Tavily", "--api-key", FakeTavily.ApiKey,
            "--config", $$"""{"base_url":"{{tavily.BaseAddress}}"}""");
        var list = await cli.RunAsync("tool-provider", "list");
        var edited = await cli.JsonAsync("tool-provider", "edit", "search", "--name", "Search");
        var shown = await cli.JsonAsync("tool-provider", "show", "search");
        var tested = await cli.RunAsync("tool-provider", "test", "search");
        tavily.FailNext(500);
        var failed = await cli.RunAsync("tool-provider", "test", "search", "--json");
        var removed = await cli.RunAsync("tool-provider", "remove", "search");

        Assert.Equal("tavily", added.GetProperty("tool_provider").GetProperty("kind").GetString());
        Assert.Contains(" search ", list.Out);
        Assert.DoesNotContain(FakeTavily.ApiKey, list.Out + added.GetRawText());
        Assert.Equal("Search", edited.GetProperty("tool_provider").GetProperty("name").GetString());
        Assert.Equal("Search", shown.GetProperty("tool_provider").GetProperty("name").GetString());
        Assert.True(tested.ExitCode == 0, tested.Error + tested.Out);
        Assert.StartsWith("ok", tested.Out);
        Assert.Equal(1, failed.ExitCode);
        Assert.False(failed.Json.GetProperty("test").GetProperty("ok").GetBoolean());
        Assert.Equal(0, removed.ExitCode);
        Assert.Contains("tool provider deleted: search", removed.Out);
        Assert.Equal("keyway: tool provider not found: search\n", (await cli.RunAsync("tool-provider", "show", "search")).Error);
    }

    [Fact]
    public async Task GroupCopy_CreatesTheCopy_AndPrintsItsNewKeysOnce()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);

        var copied = await cli.JsonAsync("group", "copy", "default", "--name", "Team B", "--new-group-id", "team-b");
        var text = await cli.RunAsync("group", "copy", "default", "--name", "Team C");
        var again = await cli.RunAsync("group", "copy", "default", "--name", "Team B", "--new-group-id", "team-b");

        Assert.Equal("team-b", copied.GetProperty("group").GetProperty("group_id").GetString());
        var plaintext = copied.GetProperty("issued_keys")[0].GetProperty("plaintext").GetString()!;
        Assert.StartsWith("db_sk_", plaintext);
        using var client = bed.Server.ClientWithKey(plaintext);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await AdminApi.GetAsync(client, "v1/models")).Status);
        Assert.Equal(0, text.ExitCode);
        Assert.Matches(@"db_sk_\S+", text.Out);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("keyway: group_id 'team-b' already exists\n", again.Error);
    }

    [Fact]
    public async Task ProviderTest_AndRouteTest_MakeOneCall_AndARefusalPrintsTheApiMessage()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        using var dir = new TempDirectory();
        var cli = new CliRunner(bed.Server, dir.Path);
        await cli.JsonAsync("provider", "add", "lonely", "--base-url", "https://lonely.example/v1", "--api-key", "sk-lonely-0123456789");

        var provider = await cli.JsonAsync("provider", "test", GatewayTestBed.OpenAIProvider);
        var route = await cli.RunAsync("route", "test", GatewayTestBed.OpenAIAlias);
        var noRoute = await cli.RunAsync("provider", "test", "lonely");

        Assert.True(provider.GetProperty("test").GetProperty("ok").GetBoolean());
        Assert.Equal(GatewayTestBed.OpenAIModel, provider.GetProperty("test").GetProperty("upstream_model").GetString());
        Assert.True(route.ExitCode == 0, route.Error + route.Out);
        Assert.StartsWith("ok", route.Out);
        Assert.Equal(2, bed.Upstream.Requests.Count);
        Assert.Equal(1, noRoute.ExitCode);
        Assert.Equal("keyway: provider 'lonely' has no route: add one to test a chat call\n", noRoute.Error);
    }

    [Fact]
    public async Task FailoverKnobs_Default_ReturnsThemToTheGlobalDefault()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);
        var cli = new CliRunner(server, dir.Path);
        await cli.JsonAsync("provider", "add", "p", "--base-url", "https://p.example/v1", "--api-key", "sk-p-0123456789",
            "--max-retries", "3", "--key-failure-threshold", "4", "--key-cooldown-seconds", "60", "--key-wait-seconds", "5");

        var reset = (await cli.JsonAsync("provider", "edit", "p", "--max-retries", "default", "--key-cooldown-seconds", "default")).GetProperty("provider");
        var bad = await cli.RunAsync("provider", "edit", "p", "--max-retries", "lots");

        Assert.Equal(JsonValueKind.Null, reset.GetProperty("max_retries").ValueKind);
        Assert.Equal(JsonValueKind.Null, reset.GetProperty("key_cooldown_seconds").ValueKind);
        Assert.Equal(4, reset.GetProperty("key_failure_threshold").GetInt32());
        Assert.Equal(5, reset.GetProperty("key_wait_seconds").GetInt32());
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--max-retries takes a number or 'default'", bad.Error);
    }
}
