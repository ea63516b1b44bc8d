using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>import amkr (the seed's example router-config.json).</summary>
public sealed class AmkrImportTests
{
    // The example router-config.json of auto-model-key-router's README (the seed), upstream_routes included.
    private const string RouterConfig = """
        {
          "host": "127.0.0.1",
          "port": 8000,
          "default_base_url": "https://api.openai.com",
          "upstream_routes": { "https://example.com/tokenplan": { "anthropic": "anthropic/" } },
          "request_timeout": 60,
          "max_retries": 2,
          "key_failure_threshold": 2,
          "key_cooldown_seconds": 60,
          "local_api_key": "amkr_your-local-api-key",
          "unified_model": { "model": "gpt-4o-mini", "key": null },
          "models": [
            {
              "id": "gpt-4o-mini",
              "aliases": ["fast-mini"],
              "routing_mode": "round_robin",
              "keys": [
                {"name": "openai-main", "api_key": "sk-your-first-upstream-key"},
                {"name": "openai-backup", "api_key": "sk-your-second-upstream-key"},
                {"name": "mimo-tokenplan", "api_key": "sk-your-third-upstream-key", "base_url": "https://example.com/tokenplan"}
              ]
            }
          ]
        }
        """;

    [Fact]
    public async Task Amkr_ImportsModelsKeysUnifiedAndLocalKey()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);
        var (cli, file) = await ArrangeAmkrAsync(server, dir, RouterConfig);

        var report = await cli.JsonAsync("import", "amkr", file);
        Assert.Contains(report.GetProperty("skipped").EnumerateArray(), s => s.GetString()!.StartsWith("upstream_routes"));
        Assert.Contains(report.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("db_sk_"));
        var provider = (await cli.JsonAsync("provider", "show", "amkr-gpt-4o-mini")).GetProperty("provider");
        Assert.Equal("https://api.openai.com/v1", provider.GetProperty("base_url").GetString());
        Assert.Equal(60, provider.GetProperty("timeout_seconds").GetInt32());
        var keys = provider.GetProperty("api_keys").EnumerateArray().ToList();
        Assert.Equal(["openai-main", "openai-backup", "mimo-tokenplan"], keys.Select(k => k.GetProperty("name").GetString()));
        Assert.Equal("https://example.com/tokenplan/v1", keys[2].GetProperty("base_url").GetString());
        var routes = (await cli.JsonAsync("route", "list")).GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("alias").GetString()).Order();
        Assert.Equal(["fast-mini", "gpt-4o-mini"], routes);
        Assert.Equal("gpt-4o-mini", (await cli.JsonAsync("unified", "show")).GetProperty("unified").GetProperty("route_alias").GetString());

        var again = await cli.JsonAsync("import", "amkr", file);
        Assert.Empty(again.GetProperty("changes").EnumerateArray());
    }

    [Fact]
    public async Task Amkr_CarriesVisitorKeysToPoolKeysRoutesAndAVisitorKey()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);
        var (cli, file) = await ArrangeAmkrAsync(server, dir, RouterConfig.Replace(
            """{"name": "openai-backup", "api_key": "sk-your-second-upstream-key"}""",
            """{"name": "openai-backup", "api_key": "sk-your-second-upstream-key", "allow_visitor": true}"""));

        var report = await cli.JsonAsync("import", "amkr", file);

        var keys = (await cli.JsonAsync("provider", "show", "amkr-gpt-4o-mini")).GetProperty("provider").GetProperty("api_keys").EnumerateArray().ToList();
        Assert.Equal([false, true, false], keys.Select(k => k.GetProperty("allow_visitor").GetBoolean()));
        Assert.All((await cli.JsonAsync("route", "list")).GetProperty("routes").EnumerateArray(), route => Assert.True(route.GetProperty("allow_visitors").GetBoolean()));
        var visitor = Assert.Single((await cli.JsonAsync("key", "list")).GetProperty("keys").EnumerateArray(), k => k.GetProperty("visitor").GetBoolean());
        Assert.Equal("amkr visitor", visitor.GetProperty("name").GetString());
        Assert.Contains(report.GetProperty("skipped").EnumerateArray(), s => s.GetString()!.StartsWith("visitor key amkr-visitor"));
        Assert.Empty((await cli.JsonAsync("import", "amkr", file)).GetProperty("changes").EnumerateArray());
    }

    [Theory]
    [InlineData("\"gpt-4o-mini\"", "\"models\" is a string")]
    [InlineData("{\"gpt-4o-mini\": {\"targets\": []}}", "\"models\" is an object")]
    [InlineData("[\"gpt-4o-mini\"]", "models[0] is a string")]
    public async Task Amkr_ModelsThatAreNotAListOfModels_AreRefusedWithExitCode2(string models, string error)
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "router-config.json");
        await File.WriteAllTextAsync(file, $$"""{"local_api_key": "amkr_local", "models": {{models}}}""");

        var refused = await new CliRunner(null, dir.Path).RunAsync("import", "amkr", file, "--dry-run");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains(error, refused.Error);
    }

    /// <summary>A CLI on <paramref name="server"/> and a router-config.json holding <paramref name="config"/>, in the test's directory.</summary>
    private static async Task<(CliRunner Cli, string File)> ArrangeAmkrAsync(KeywayServer server, TempDirectory dir, string config)
    {
        var file = Path.Combine(dir.Path, "router-config.json");
        await File.WriteAllTextAsync(file, config);
        return (new CliRunner(server, dir.Path), file);
    }
}
