using System.Text.Json;
using Keyway.Admin;
using Keyway.Cli.Declarative;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Keyway.Upstreams;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Cli;

/// <summary>apply is idempotent and plans before it acts; export → apply on a fresh gateway → export gives the same file.</summary>
public sealed class DeclarativeCommandTests
{
    private const string Config = """
        groups:
          - group_id: default
            name: Default
            providers:
              - provider_id: deepseek
                name: DeepSeek
                base_url: https://api.deepseek.com/v1
                protocol: openai
                routing_mode: round_robin
                timeout_seconds: 90
                extra_headers:
                  X-Vendor-Token: vt-0123456789
                api_keys:
                  - name: main
                    api_key: ${DEEPSEEK_KEY}
                  - name: spare
                    api_key: sk-spare-0123456789
              - provider_id: claude
                base_url: https://api.anthropic.com
                protocol: anthropic
                api_keys:
                  - name: default
                    api_key: sk-ant-0123456789
            tool_providers:
              - tool_id: tavily
                name: Tavily
                api_key: tvly-0123456789
            routes:
              - alias: chat
                provider_id: deepseek
                upstream_model: deepseek-chat
                fallbacks:
                  - provider_id: claude
                    upstream_model: claude-sonnet
              - alias: "2024"
                provider_id: claude
                upstream_model: claude-haiku
            keys:
              - name: alice
                owner_user_id: alice@example.com
            unified:
              alias: unified-model
              route_alias: chat
              key_name: spare
          - group_id: team-b
            name: Team B
        """;

    /// <summary>The CLI's environment: Config's ${DEEPSEEK_KEY}.</summary>
    private static readonly Dictionary<string, string> WithDeepseekKey = new() { ["DEEPSEEK_KEY"] = "sk-main-0123456789" };

    [Fact]
    public async Task Apply_CreatesThenChangesNothing()
    {
        await using var bed = await ApplyBed.StartAsync(WithDeepseekKey);
        var cli = bed.Cli;
        await bed.WriteAsync(Config);

        var plan = await cli.JsonAsync("apply", bed.File, "--dry-run");
        Assert.False(plan.GetProperty("applied").GetBoolean());
        Assert.Contains("+ provider default/deepseek", ApplyBed.Changes(plan));
        Assert.Empty((await cli.JsonAsync("provider", "list")).GetProperty("providers").EnumerateArray());

        var applied = await cli.JsonAsync("apply", bed.File);
        Assert.Contains(applied.GetProperty("notes").EnumerateArray(), note => note.GetString()!.Contains("db_sk_"));
        var provider = (await cli.JsonAsync("provider", "show", "deepseek")).GetProperty("provider");
        Assert.Equal("round_robin", provider.GetProperty("routing_mode").GetString());
        Assert.Equal("sk-…6789", provider.GetProperty("api_keys")[0].GetProperty("api_key").GetString());
        var unified = (await cli.JsonAsync("unified", "show")).GetProperty("unified");
        Assert.Equal("spare", unified.GetProperty("key_name").GetString());
        Assert.Equal("claude-sonnet", (await cli.JsonAsync("route", "show", "chat")).GetProperty("route").GetProperty("fallbacks")[0].GetProperty("upstream_model").GetString());

        await bed.AssertNoChangesAsync(bed.File);

        await bed.WriteAsync(Config.Replace("timeout_seconds: 90", "timeout_seconds: 30").Replace("sk-spare-0123456789", "sk-spare-new-0123456789"));
        var changed = await cli.JsonAsync("apply", bed.File);
        Assert.Equal(["~ provider default/deepseek (timeout_seconds, api_keys)"], ApplyBed.Changes(changed));
    }

    [Fact]
    public async Task Apply_ChangedPool_KeepsTheUnchangedKeysIdAndHealth()
    {
        await using var bed = await ApplyBed.StartAsync(WithDeepseekKey);
        var cli = bed.Cli;
        await bed.ApplyAsync(Config);
        var before = PoolKeyIds((await cli.JsonAsync("provider", "show", "deepseek")).GetProperty("provider"));
        var health = bed.Server.Services.GetRequiredService<KeyHealthRepository>();
        var cooling = new KeyHealthState(before["main"], "deepseek", 2, 0, DateTimeOffset.UtcNow.AddHours(1),
            new Dictionary<string, DateTimeOffset>(), null, null, 429, "rate limited", DateTimeOffset.UtcNow, null);
        await health.UpsertAsync([cooling], CancellationToken.None);

        // spare gets a new secret and swaps places with main; main's secret is unchanged.
        await bed.WriteAsync(Config
            .Replace("sk-spare-0123456789", "sk-spare-new-0123456789")
            .Replace("- name: main\n            api_key: ${DEEPSEEK_KEY}\n          - name: spare\n            api_key: sk-spare-new-0123456789",
                "- name: spare\n            api_key: sk-spare-new-0123456789\n          - name: main\n            api_key: ${DEEPSEEK_KEY}"));
        var changed = await cli.JsonAsync("apply", bed.File);

        Assert.Equal(["~ provider default/deepseek (api_keys)"], ApplyBed.Changes(changed));
        var provider = (await cli.JsonAsync("provider", "show", "deepseek")).GetProperty("provider");
        Assert.Equal(["spare", "main"], provider.GetProperty("api_keys").EnumerateArray().Select(k => k.GetProperty("name").GetString()));
        var after = PoolKeyIds(provider);
        Assert.Equal(before["main"], after["main"]);
        Assert.NotEqual(before["spare"], after["spare"]);
        var kept = Assert.Single(await health.ListAllAsync(CancellationToken.None), state => state.KeyId == before["main"]);
        Assert.Equal(429, kept.LastStatus);
    }

    [Fact]
    public async Task ExportApplyExport_RoundTrips()
    {
        await using var first = await ApplyBed.StartAsync(WithDeepseekKey);
        await using var second = await ApplyBed.StartAsync(WithDeepseekKey);
        var (one, two) = (first.Cli, second.Cli);
        await first.ApplyAsync(Config);

        var exported = await first.ExportAsync("--with-secrets");
        var text = await File.ReadAllTextAsync(exported);
        Assert.Contains("sk-main-0123456789", text);
        Assert.Contains("X-Vendor-Token: vt-0123456789", text);
        Assert.DoesNotContain("tvly-", text);
        // A tool provider's key is never exported: the file must give it to create the tool on another gateway.
        await File.WriteAllTextAsync(exported, text.Replace("name: Tavily\n", "name: Tavily\n    api_key: tvly-0123456789\n"));
        Assert.Contains("alias: \"2024\"", text);

        var applied = await two.RunAsync("apply", exported);
        Assert.True(applied.ExitCode == 0, applied.Error);
        Assert.Equal(text, (await two.RunAsync("export", "--with-secrets")).Out);
        Assert.Equal((await one.RunAsync("export")).Out, (await two.RunAsync("export")).Out);

        var masked = Path.Combine(second.Directory, "masked.yaml");
        await File.WriteAllTextAsync(masked, (await two.RunAsync("export")).Out);
        Assert.DoesNotContain("vt-0123456789", await File.ReadAllTextAsync(masked));
        await second.AssertNoChangesAsync(masked);
        await first.WriteAsync(Config.Replace("vt-0123456789", "vt-rotated-0123456789"));
        Assert.Equal(["~ provider default/deepseek (extra_headers)"], ApplyBed.Changes(await two.JsonAsync("apply", first.File)));
    }

    [Fact]
    public async Task MaskedShortKey_IsKept_NotWrittenAsItsMask()
    {
        await using var bed = await ApplyBed.StartAsync();
        await bed.ApplyAsync("""
            groups:
              - group_id: default
                providers:
                  - provider_id: ollama
                    base_url: http://127.0.0.1:11434/v1
                    protocol: openai
                    api_keys:
                      - name: local
                        api_key: none
            """);

        // export masks a key of fewer than 16 characters as asterisks only, as many whatever its length, without the "…" of longer ones.
        var masked = Path.Combine(bed.Directory, "masked.yaml");
        var exported = (await bed.Cli.RunAsync("export")).Out;
        Assert.Contains("api_key: '********'", exported);
        await File.WriteAllTextAsync(masked, exported);
        await bed.AssertNoChangesAsync(masked);
        Assert.Contains("api_key: none", (await bed.Cli.RunAsync("export", "--with-secrets")).Out);
    }

    private const string PolicyConfig = """
        groups:
          - group_id: default
            providers:
              - provider_id: oa
                base_url: https://api.openai.com/v1
                protocol: openai-responses
                websocket: true
                api_keys:
                  - name: main
                    api_key: sk-main-0123456789
                    allow_visitor: true
                  - name: spare
                    api_key: sk-spare-0123456789
                    enabled: false
            routes:
              - alias: chat
                provider_id: oa
                upstream_model: gpt-4o
                allow_visitors: true
                max_tokens_cap: 100
                default_temperature: 0.2
                default_reasoning_effort: low
                web_search: "off"
                allowed_paths: [/v1/embeddings]
                fallbacks:
                  - { provider_id: oa, upstream_model: gpt-4o-mini, enabled: false }
            keys:
              - name: dave
                rpm: 60
                tpm: 5000
                max_concurrency: 2
                allowed_aliases: [chat]
                daily_token_budget: 1000
                monthly_token_budget: 20000
                visitor: true
                web_search: "off"
              - name: pol
                rpm: 5
                visitor: true
        """;

    [Fact]
    public async Task Apply_SetsAccessPolicyAndRouteAndPoolFields_ThenExportAppliesAsNoChanges()
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        await bed.ApplyAsync(PolicyConfig);

        var dave = Key(await cli.JsonAsync("key", "list"), "dave");
        Assert.Equal(60, dave.GetProperty("rpm").GetInt32());
        Assert.Equal(5000, dave.GetProperty("tpm").GetInt64());
        Assert.Equal(2, dave.GetProperty("max_concurrency").GetInt32());
        Assert.Equal(["chat"], dave.GetProperty("allowed_aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(1000, dave.GetProperty("daily_token_budget").GetInt64());
        Assert.Equal(20000, dave.GetProperty("monthly_token_budget").GetInt64());
        Assert.True(dave.GetProperty("visitor").GetBoolean());
        Assert.Equal("off", dave.GetProperty("web_search").GetString());
        var route = (await cli.JsonAsync("route", "show", "chat")).GetProperty("route");
        Assert.True(route.GetProperty("allow_visitors").GetBoolean());
        Assert.Equal(100, route.GetProperty("max_tokens_cap").GetInt32());
        Assert.Equal(0.2, route.GetProperty("default_temperature").GetDouble());
        Assert.Equal("low", route.GetProperty("default_reasoning_effort").GetString());
        Assert.Equal("off", route.GetProperty("web_search").GetString());
        Assert.Equal(["/v1/embeddings"], route.GetProperty("allowed_paths").EnumerateArray().Select(a => a.GetString()));
        Assert.False(Assert.Single(route.GetProperty("fallbacks").EnumerateArray()).GetProperty("enabled").GetBoolean());
        var provider = (await cli.JsonAsync("provider", "show", "oa")).GetProperty("provider");
        Assert.True(provider.GetProperty("websocket").GetBoolean());
        Assert.True(provider.GetProperty("api_keys")[0].GetProperty("allow_visitor").GetBoolean());
        Assert.False(provider.GetProperty("api_keys")[1].GetProperty("enabled").GetBoolean());
        await bed.AssertNoChangesAsync(bed.File);

        // An existing key's policy follows the file.
        await bed.WriteAsync(PolicyConfig.Replace("rpm: 5\n        visitor: true", "rpm: 1000\n        visitor: false\n        allowed_aliases: [chat]"));
        var changed = await cli.JsonAsync("apply", bed.File);
        Assert.Equal(["~ key default/pol (allowed_aliases, rpm, visitor)"], ApplyBed.Changes(changed));
        var pol = Key(await cli.JsonAsync("key", "list"), "pol");
        Assert.Equal(1000, pol.GetProperty("rpm").GetInt32());
        Assert.False(pol.GetProperty("visitor").GetBoolean());

        // What export writes, apply reads back as the same configuration.
        var exported = await bed.ExportAsync();
        var text = await File.ReadAllTextAsync(exported);
        Assert.Contains("visitor: true", text);
        Assert.Contains("default_temperature: 0.2", text);
        await bed.AssertNoChangesAsync(exported);

        // A fallback switched on again is a change of the route's fallbacks.
        await bed.WriteAsync(PolicyConfig.Replace(", enabled: false }", " }"));
        var switchedOn = await cli.JsonAsync("apply", bed.File);
        Assert.Contains("~ fallbacks default/chat (oa:gpt-4o-mini)", ApplyBed.Changes(switchedOn));
        Assert.True((await cli.JsonAsync("route", "show", "chat")).GetProperty("route").GetProperty("fallbacks")[0].GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Export_UnknownGroup_IsRefused_NotAnEmptyFile()
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;

        var refused = await cli.RunAsync("export", "--group", "defualt");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("group not found: defualt", refused.Error);
        Assert.Equal("", refused.Out);
    }

    [Fact]
    public async Task Apply_GroupWithoutName_KeepsTheExistingName()
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        await cli.JsonAsync("group", "add", "gc", "--name", "Group C");
        await bed.WriteAsync("groups:\n  - group_id: gc\n  - group_id: gd\n");

        var applied = await cli.JsonAsync("apply", bed.File);
        Assert.Equal(["+ group gd"], ApplyBed.Changes(applied));
        Assert.Equal("Group C", (await cli.JsonAsync("group", "show", "gc")).GetProperty("group").GetProperty("name").GetString());
        Assert.Equal("gd", (await cli.JsonAsync("group", "show", "gd")).GetProperty("group").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Apply_IdsOfAnotherGroup_RefusedBeforeAnyWrite()
    {
        await using var bed = await ApplyBed.StartAsync();
        var cli = bed.Cli;
        const string Taken = """
            groups:
              - group_id: team-a
                providers:
                  - { provider_id: shared, base_url: "https://api.deepseek.com/v1", api_keys: [{ name: main, api_key: sk-main-0123456789 }] }
                tool_providers:
                  - { tool_id: search, name: Search, api_key: tvly-0123456789 }
                keys:
                  - { name: migrated, plaintext: db_sk_0123456789abcdefghijklmnop }

            """;
        await bed.ApplyAsync(Taken);
        // team-b takes all three; team-c declares the provider a second time.
        await bed.WriteAsync(Taken.Replace("team-a", "team-b").Replace("migrated", "copy") + """
              - group_id: team-c
                providers:
                  - { provider_id: shared, base_url: "https://api.deepseek.com/v1", api_keys: [{ name: main, api_key: sk-main-0123456789 }] }
            """);

        var refused = await cli.RunAsync("apply", bed.File);

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(
            "keyway: nothing was changed: the file names ids that are unique across groups and taken elsewhere: " +
            "provider 'shared' belongs to group 'team-a', not 'team-b'; provider 'shared' is declared in groups 'team-b' and 'team-c'; " +
            "provider 'shared' belongs to group 'team-a', not 'team-c'; tool provider 'search' belongs to group 'team-a', not 'team-b'; " +
            "key team-b/copy: its plaintext is already key team-a/migrated",
            refused.Error.Trim());
        var groups = (await cli.JsonAsync("group", "list")).GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group_id").GetString());
        Assert.DoesNotContain("team-b", groups);
    }

    [Theory]
    [InlineData(typeof(ProviderResponse), "providers")]
    [InlineData(typeof(ToolProviderResponse), "tool_providers")]
    [InlineData(typeof(RouteResponse), "routes")]
    [InlineData(typeof(IssuedKeyResponse), "keys")]
    [InlineData(typeof(GroupResponse), "groups")]
    public void DeclaredFields_NameEveryFieldOfTheAdminAnswer(Type response, string collection)
    {
        var resource = collection == "groups" ? ConfigPlanner.Groups : DeclaredResource.All.Single(r => r.Collection == collection);
        Assert.Equal(AnswerFields(response), [.. resource.Fields.Concat(resource.ServerFields).Order()]);
    }

    [Fact]
    public void DeclaredPoolKeyFields_NameEveryFieldOfTheAdminAnswer() =>
        Assert.Equal(AnswerFields(typeof(UpstreamKeyResponse)), [.. DeclaredResource.PoolKeyFields.Concat(DeclaredResource.PoolKeyServerFields).Order()]);

    private static List<string> AnswerFields(Type response) =>
        [.. response.GetProperties().Where(p => p.DeclaringType == response).Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).Order()];

    private static Dictionary<string, string> PoolKeyIds(JsonElement provider) =>
        provider.GetProperty("api_keys").EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!, k => k.GetProperty("key_id").GetString()!);

    private static JsonElement Key(JsonElement list, string name) =>
        list.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("name").GetString() == name);
}
