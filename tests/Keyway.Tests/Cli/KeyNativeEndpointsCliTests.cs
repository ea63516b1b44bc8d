namespace Keyway.Tests.Cli;

/// <summary>A pool key's native_endpoints through `keyway provider add-key|edit-key` and `keyway apply/export`.</summary>
public sealed class KeyNativeEndpointsCliTests
{
    private const string Config = """
        groups:
          - group_id: default
            providers:
              - provider_id: oa
                base_url: https://api.openai.com/v1
                api_keys:
                  - name: main
                    api_key: sk-main-0123456789
                  - name: plan
                    api_key: sk-plan-0123456789
                    base_url: https://plan.example/tp/v1
                    native_endpoints:
                      anthropic: https://plan.example/tp/anthropic
        """;

    [Fact]
    public async Task Apply_SetsAKeysNativeEndpoints_AChangeIsAPoolChange_AndExportAppliesAsNoChanges()
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        await bed.ApplyAsync(Config);

        var keys = (await cli.JsonAsync("provider", "show", "oa")).GetProperty("provider").GetProperty("api_keys");
        Assert.Equal("https://plan.example/tp/anthropic", keys[1].GetProperty("native_endpoints").GetProperty("anthropic").GetString());
        await bed.AssertNoChangesAsync(bed.File);

        await bed.WriteAsync(Config.Replace("tp/anthropic", "tp/claude"));
        var changed = await cli.JsonAsync("apply", bed.File);
        Assert.Equal(["~ provider default/oa (api_keys)"], ApplyBed.Changes(changed));

        var exported = await bed.ExportAsync("--with-secrets");
        Assert.Contains("anthropic: https://plan.example/tp/claude", await File.ReadAllTextAsync(exported));
        await bed.AssertNoChangesAsync(exported);
    }

    [Fact]
    public async Task AddKeyAndEditKey_SetReplaceAndClearNativeEndpoints()
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "main=sk-main-0123456789");

        var added = (await cli.JsonAsync(
            "provider", "add-key", "p1", "plan", "--api-key", "sk-plan-0123456789", "--base-url", "https://plan.example/v1",
            "--native-endpoint", "anthropic=https://plan.example/anthropic", "--native-endpoint", "openai-responses=https://plan.example/r/v1")).GetProperty("key");
        var replaced = (await cli.JsonAsync("provider", "edit-key", "p1", "plan", "--native-endpoint", "anthropic=https://plan.example/claude")).GetProperty("key");
        var cleared = (await cli.JsonAsync("provider", "edit-key", "p1", "plan", "--native-endpoint", "")).GetProperty("key");
        var refused = await cli.RunAsync("provider", "edit-key", "p1", "plan", "--native-endpoint", "anthropic");
        var provider = (await cli.JsonAsync("provider", "edit", "p1", "--native-endpoint", "anthropic=https://p1.example/anthropic")).GetProperty("provider");

        Assert.Equal(["anthropic", "openai-responses"], added.GetProperty("native_endpoints").EnumerateObject().Select(p => p.Name));
        Assert.Equal("https://plan.example/claude", Assert.Single(replaced.GetProperty("native_endpoints").EnumerateObject()).Value.GetString());
        Assert.Empty(cleared.GetProperty("native_endpoints").EnumerateObject());
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--native-endpoint takes KEY=VALUE, got 'anthropic'", refused.Error);
        Assert.Equal("https://p1.example/anthropic", provider.GetProperty("native_endpoints").GetProperty("anthropic").GetString());
    }
}
