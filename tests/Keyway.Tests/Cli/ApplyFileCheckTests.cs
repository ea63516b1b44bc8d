namespace Keyway.Tests.Cli;

/// <summary>apply refuses a file it would misread (a misspelt field, an item declared twice) before it plans anything.</summary>
public sealed class ApplyFileCheckTests
{
    [Theory]
    [InlineData("providers:\n      - { provider_id: p1, base_urll: \"https://typo.example/v1\" }", "provider default/p1: unknown field base_urll")]
    [InlineData("providers:\n      - { provider_id: p1, api_keys: [{ name: main, apikey: sk-0123456789 }] }", "provider default/p1 api_keys: unknown field apikey")]
    [InlineData("routes:\n      - { alias: chat, provider_id: p1, upstream_model: m1, fallbacks: [{ provider: p2 }] }", "route default/chat fallbacks: unknown field provider")]
    [InlineData("routes:\n      - { alias: chat, provider_id: p1, upstream_model: m1 }\n      - { alias: chat, provider_id: p1, upstream_model: m2 }", "route default/chat is declared 2 times")]
    [InlineData("keys:\n      - { name: exp }\n      - { name: exp, rpm: 5 }", "key default/exp is declared 2 times: give each its key_id, as export writes them")]
    [InlineData("keys:\n      - { key_id: k1, name: exp }\n      - { key_id: k1, name: other }", "key_id k1 of group default is declared 2 times")]
    [InlineData("unified: { route: chat }", "unified of group default: unknown field route")]
    [InlineData("key: []", "group default: unknown field key")]
    public async Task Apply_RefusesAFileItWouldMisread_BeforeAnyChange(string groupBody, string error)
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        await bed.WriteAsync($"groups:\n  - group_id: default\n    note: changed\n    {groupBody}\n");

        var refused = await cli.RunAsync("apply", bed.File);

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"keyway: nothing was changed: {error}", refused.Error.Trim());
        Assert.Equal("", (await cli.JsonAsync("group", "show", "default")).GetProperty("group").GetProperty("note").GetString());
    }

    [Fact]
    public async Task Apply_TakesAnExportedFile_WithFieldsOnlyTheGatewaySets()
    {
        await using var bed = await ApplyBed.StartAsync();
        await bed.ApplyAsync("""
            groups:
              - group_id: default
                providers:
                  - { provider_id: p1, base_url: "https://p1.example/v1", created_at: x, api_keys: [{ name: main, api_key: sk-0123456789, key_id: x }] }
                routes:
                  - { alias: chat, route_id: x, provider_id: p1, upstream_model: m1, fallbacks: [{ provider_id: p1, upstream_model: m2, enabled: false }] }
                keys:
                  - { name: alice, key_prefix: x }
                unified: { route_alias: chat }
            """);

        await bed.AssertNoChangesAsync(await bed.ExportAsync("--with-secrets"));
    }
}
