namespace Keyway.Tests.Cli;

/// <summary>apply --prune deletes what the file leaves out, and never what the file keeps along with it.</summary>
public sealed class ApplyPruneTests
{
    private const string TwoRoutesOnOneProvider = """
        groups:
          - group_id: default
            providers:
              - { provider_id: old, base_url: "https://old.example/v1", api_keys: [{ name: main, api_key: sk-old-0123456789 }] }
            routes:
              - { alias: chat, provider_id: old, upstream_model: m-chat }
              - { alias: small, provider_id: old, upstream_model: m-small }
            unified: { route_alias: chat }

        """;

    /// <summary>A gateway with <see cref="TwoRoutesOnOneProvider"/> applied.</summary>
    private static async Task<ApplyBed> StartAsync()
    {
        var bed = await ApplyBed.StartAsync();
        await bed.ApplyAsync(TwoRoutesOnOneProvider);
        return bed;
    }

    [Fact]
    public async Task Prune_RoutesMovedToANewProvider_AreMovedBeforeTheOldProviderIsDeleted()
    {
        await using var bed = await StartAsync();
        var cli = bed.Cli;
        await bed.WriteAsync(TwoRoutesOnOneProvider.Replace("provider_id: old", "provider_id: new").Replace("old.example", "new.example"));

        var applied = await cli.JsonAsync("apply", bed.File, "--prune");

        Assert.Equal("- provider default/old", applied.GetProperty("changes").EnumerateArray().Last().GetString());
        Assert.Equal("new", (await cli.JsonAsync("route", "show", "chat")).GetProperty("route").GetProperty("provider_id").GetString());
        Assert.Equal("chat", (await cli.JsonAsync("unified", "show")).GetProperty("unified").GetProperty("route_alias").GetString());
    }

    [Fact]
    public async Task Prune_ProviderARouteOfTheFileStillUses_IsRefusedBeforeAnyChange()
    {
        await using var bed = await StartAsync();
        var cli = bed.Cli;
        await bed.WriteAsync("""
            groups:
              - group_id: default
                routes:
                  - { alias: small, provider_id: old, upstream_model: m-small }
            """);

        var refused = await cli.RunAsync("apply", bed.File, "--prune");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--prune would delete provider default/old, which route default/small uses", refused.Error);
        Assert.Equal(2, (await cli.JsonAsync("route", "list")).GetProperty("routes").GetArrayLength());
    }

    [Fact]
    public async Task Prune_TheUnifiedModelsRoute_IsRefusedUnlessTheFileMovesTheUnifiedModel()
    {
        await using var bed = await StartAsync();
        var cli = bed.Cli;
        var withoutChat = TwoRoutesOnOneProvider.Replace("      - { alias: chat, provider_id: old, upstream_model: m-chat }\n", "");
        await bed.WriteAsync(withoutChat.Replace("    unified: { route_alias: chat }\n", ""));

        var refused = await cli.RunAsync("apply", bed.File, "--prune");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--prune would delete route default/chat, and with it the unified model default/unified-model", refused.Error);
        Assert.Equal("chat", (await cli.JsonAsync("unified", "show")).GetProperty("unified").GetProperty("route_alias").GetString());

        await bed.WriteAsync(withoutChat.Replace("route_alias: chat", "route_alias: small"));
        Assert.Equal(0, (await cli.RunAsync("apply", bed.File, "--prune")).ExitCode);
        Assert.Equal("small", (await cli.JsonAsync("unified", "show")).GetProperty("unified").GetProperty("route_alias").GetString());
        Assert.Equal(1, (await cli.JsonAsync("route", "list")).GetProperty("routes").GetArrayLength());
    }
}
