using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>A provider's key_wait_seconds and its keys' max_concurrency through `keyway provider` and `keyway apply/export`.</summary>
public sealed class KeyLimitsCliTests
{
    private const string Config = """
        groups:
          - group_id: default
            providers:
              - provider_id: oa
                base_url: https://api.openai.com/v1
                key_wait_seconds: 20
                api_keys:
                  - name: main
                    api_key: sk-main-0123456789
                    max_concurrency: 4
                  - name: spare
                    api_key: sk-spare-0123456789
        """;

    [Fact]
    public async Task Apply_SetsKeyWaitAndKeyCaps_ACapAloneIsAPoolChange_AndExportAppliesAsNoChanges()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);
        var cli = new CliRunner(server, dir.Path);
        var file = Path.Combine(dir.Path, "keyway.yaml");
        await File.WriteAllTextAsync(file, Config);
        var applied = await cli.RunAsync("apply", file);
        Assert.True(applied.ExitCode == 0, applied.Error);

        var provider = (await cli.JsonAsync("provider", "show", "oa")).GetProperty("provider");
        Assert.Equal(20, provider.GetProperty("key_wait_seconds").GetInt32());
        Assert.Equal([JsonValueKind.Number, JsonValueKind.Null], provider.GetProperty("api_keys").EnumerateArray().Select(k => k.GetProperty("max_concurrency").ValueKind));
        Assert.Equal(4, provider.GetProperty("api_keys")[0].GetProperty("max_concurrency").GetInt32());
        Assert.Equal("no changes: the gateway matches the file", (await cli.RunAsync("apply", file)).Out.Trim());

        await File.WriteAllTextAsync(file, Config.Replace("max_concurrency: 4", "max_concurrency: 8"));
        var changed = await cli.JsonAsync("apply", file);
        Assert.Equal(["~ provider default/oa (api_keys)"], changed.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(8, (await cli.JsonAsync("provider", "show", "oa")).GetProperty("provider").GetProperty("api_keys")[0].GetProperty("max_concurrency").GetInt32());

        var exported = Path.Combine(dir.Path, "exported.yaml");
        Assert.Equal(0, (await cli.RunAsync("export", "--out", exported)).ExitCode);
        var text = await File.ReadAllTextAsync(exported);
        Assert.Contains("key_wait_seconds: 20", text);
        Assert.Contains("max_concurrency: 8", text);
        Assert.Equal("no changes: the gateway matches the file", (await cli.RunAsync("apply", exported)).Out.Trim());
    }

    [Fact]
    public async Task ProviderAddAndEdit_KeyWaitSeconds_IsSentAndShown()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);
        var cli = new CliRunner(server, dir.Path);
        var added = await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "sk-p1-0123456789", "--key-wait-seconds", "30");
        Assert.Equal(30, added.GetProperty("provider").GetProperty("key_wait_seconds").GetInt32());

        var edited = await cli.JsonAsync("provider", "edit", "p1", "--key-wait-seconds", "0");
        Assert.Equal(0, edited.GetProperty("provider").GetProperty("key_wait_seconds").GetInt32());
        Assert.Matches(@"key_wait_seconds\s+0", (await cli.RunAsync("provider", "show", "p1")).Out);
    }
}
