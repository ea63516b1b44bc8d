using System.Text.Json;

namespace Keyway.Tests.Cli;

/// <summary>
/// A provider's key_wait_seconds and its keys' max_concurrency through `keyway provider add|edit|add-key|edit-key` and
/// `keyway apply/export`.
/// </summary>
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
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        await bed.ApplyAsync(Config);

        var provider = (await cli.JsonAsync("provider", "show", "oa")).GetProperty("provider");
        Assert.Equal(20, provider.GetProperty("key_wait_seconds").GetInt32());
        Assert.Equal([JsonValueKind.Number, JsonValueKind.Null], provider.GetProperty("api_keys").EnumerateArray().Select(k => k.GetProperty("max_concurrency").ValueKind));
        Assert.Equal(4, provider.GetProperty("api_keys")[0].GetProperty("max_concurrency").GetInt32());
        await bed.AssertNoChangesAsync(bed.File);

        await bed.WriteAsync(Config.Replace("max_concurrency: 4", "max_concurrency: 8"));
        var changed = await cli.JsonAsync("apply", bed.File);
        Assert.Equal(["~ provider default/oa (api_keys)"], ApplyBed.Changes(changed));
        Assert.Equal(8, (await cli.JsonAsync("provider", "show", "oa")).GetProperty("provider").GetProperty("api_keys")[0].GetProperty("max_concurrency").GetInt32());

        var exported = await bed.ExportAsync();
        var text = await File.ReadAllTextAsync(exported);
        Assert.Contains("key_wait_seconds: 20", text);
        Assert.Contains("max_concurrency: 8", text);
        await bed.AssertNoChangesAsync(exported);
    }

    [Fact]
    public async Task ProviderAddAndEdit_KeyWaitSeconds_IsSentAndShown()
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        var added = await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "sk-p1-0123456789", "--key-wait-seconds", "30");
        Assert.Equal(30, added.GetProperty("provider").GetProperty("key_wait_seconds").GetInt32());

        var edited = await cli.JsonAsync("provider", "edit", "p1", "--key-wait-seconds", "0");
        Assert.Equal(0, edited.GetProperty("provider").GetProperty("key_wait_seconds").GetInt32());
        Assert.Matches(@"key_wait_seconds\s+0", (await cli.RunAsync("provider", "show", "p1")).Out);
    }

    [Fact]
    public async Task AddKeyAndEditKey_SetAndRemoveACap_LeavingTheRestOfThePool()
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "main=sk-main-0123456789");

        var added = (await cli.JsonAsync("provider", "add-key", "p1", "spare", "--api-key", "sk-spare-0123456789", "--max-concurrency", "3")).GetProperty("key");
        Assert.Equal(3, added.GetProperty("max_concurrency").GetInt32());
        var keyId = added.GetProperty("key_id").GetString()!;

        var raised = await cli.JsonAsync("provider", "edit-key", "p1", keyId, "--max-concurrency", "5", "--models", "m1,m2");
        Assert.Equal(5, raised.GetProperty("key").GetProperty("max_concurrency").GetInt32());
        Assert.Equal(["m1", "m2"], raised.GetProperty("key").GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        var removed = await cli.JsonAsync("provider", "edit-key", "p1", "spare", "--max-concurrency", "0");
        Assert.Equal(JsonValueKind.Null, removed.GetProperty("key").GetProperty("max_concurrency").ValueKind);
        Assert.Equal(["m1", "m2"], removed.GetProperty("key").GetProperty("models").EnumerateArray().Select(m => m.GetString()));

        var pool = (await cli.JsonAsync("provider", "show", "p1")).GetProperty("provider").GetProperty("api_keys");
        Assert.Equal(["main", "spare"], pool.EnumerateArray().Select(k => k.GetProperty("name").GetString()));
        var unknown = await cli.RunAsync("provider", "edit-key", "p1", "nope", "--max-concurrency", "2");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("the pool of 'p1' has no key 'nope'", unknown.Error);
    }
}
