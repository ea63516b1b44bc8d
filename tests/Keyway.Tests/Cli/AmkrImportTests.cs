using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Cli.Import;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>import amkr: the seed's example router-config.json (AMKR's list layout), and the providers layout of AMKR's later config.py.</summary>
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
        await using var amkr = await AmkrGateway.StartAsync(RouterConfig);

        var report = await amkr.ImportAsync();
        Assert.Contains(
            "upstream_routes https://example.com/tokenplan: anthropic → anthropic/v1/messages became key mimo-tokenplan of provider amkr-gpt-4o-mini's "
            + "native_endpoints.anthropic https://example.com/tokenplan/anthropic",
            report.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains(report.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("db_sk_"));
        var provider = (await amkr.Cli.JsonAsync("provider", "show", "amkr-gpt-4o-mini")).GetProperty("provider");
        Assert.Equal("https://api.openai.com/v1", provider.GetProperty("base_url").GetString());
        Assert.Equal(60, provider.GetProperty("timeout_seconds").GetInt32());
        var keys = provider.GetProperty("api_keys").EnumerateArray().ToList();
        Assert.Equal(["openai-main", "openai-backup", "mimo-tokenplan"], keys.Select(k => k.GetProperty("name").GetString()));
        Assert.Equal("https://example.com/tokenplan/v1", keys[2].GetProperty("base_url").GetString());
        Assert.Equal(
            [0, 0, 1], keys.Select(k => k.GetProperty("native_endpoints").EnumerateObject().Count()));
        Assert.Equal("https://example.com/tokenplan/anthropic", keys[2].GetProperty("native_endpoints").GetProperty("anthropic").GetString());
        var routes = (await amkr.Cli.JsonAsync("route", "list")).GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("alias").GetString()).Order();
        Assert.Equal(["fast-mini", "gpt-4o-mini"], routes);
        Assert.Equal("gpt-4o-mini", (await amkr.Cli.JsonAsync("unified", "show")).GetProperty("unified").GetProperty("route_alias").GetString());

        var again = await amkr.ImportAsync();
        Assert.Empty(again.GetProperty("changes").EnumerateArray());
    }

    [Fact]
    public async Task Amkr_CarriesVisitorKeysToPoolKeysRoutesAndAVisitorKey()
    {
        await using var amkr = await AmkrGateway.StartAsync(RouterConfig.Replace(
            """{"name": "openai-backup", "api_key": "sk-your-second-upstream-key"}""",
            """{"name": "openai-backup", "api_key": "sk-your-second-upstream-key", "allow_visitor": true}"""));

        var report = await amkr.ImportAsync();

        var keys = (await amkr.Cli.JsonAsync("provider", "show", "amkr-gpt-4o-mini")).GetProperty("provider").GetProperty("api_keys").EnumerateArray().ToList();
        Assert.Equal([false, true, false], keys.Select(k => k.GetProperty("allow_visitor").GetBoolean()));
        var routes = (await amkr.Cli.JsonAsync("route", "list")).GetProperty("routes").EnumerateArray();
        Assert.Equal(
            ["amkr-gpt-4o-mini:True", "fast-mini:False", "gpt-4o-mini:False"],
            routes.Select(r => $"{r.GetProperty("alias").GetString()}:{r.GetProperty("allow_visitors").GetBoolean()}").Order());
        var visitor = Assert.Single((await amkr.Cli.JsonAsync("key", "list")).GetProperty("keys").EnumerateArray(), k => k.GetProperty("visitor").GetBoolean());
        Assert.Equal("amkr visitor", visitor.GetProperty("name").GetString());
        Assert.Contains(report.GetProperty("skipped").EnumerateArray(), s => s.GetString()!.StartsWith("visitor key amkr-visitor"));
        Assert.Empty((await amkr.ImportAsync()).GetProperty("changes").EnumerateArray());
    }

    [Fact]
    public void Amkr_ListLayout_ReadsTheSeedsExampleIntoOneDocument()
    {
        // What the importer makes of the seed's example with one key allowing visitors: its visitor name amkr-{id} is the
        // one route open to visitor keys.
        var expected = JsonNode.Parse("""
            {"groups": [{"group_id": "default",
              "providers": [{"provider_id": "amkr-gpt-4o-mini", "name": "gpt-4o-mini", "base_url": "https://api.openai.com/v1", "protocol": "openai",
                "routing_mode": "round_robin", "timeout_seconds": 60, "max_retries": 2, "key_failure_threshold": 2, "key_cooldown_seconds": 60,
                "api_keys": [{"name": "openai-main", "api_key": "sk-your-first-upstream-key"},
                  {"name": "openai-backup", "api_key": "sk-your-second-upstream-key", "allow_visitor": true},
                  {"name": "mimo-tokenplan", "api_key": "sk-your-third-upstream-key", "base_url": "https://example.com/tokenplan/v1",
                   "native_endpoints": {"anthropic": "https://example.com/tokenplan/anthropic"}}]}],
              "routes": [{"alias": "gpt-4o-mini", "provider_id": "amkr-gpt-4o-mini", "upstream_model": "gpt-4o-mini", "allow_visitors": false},
                {"alias": "fast-mini", "provider_id": "amkr-gpt-4o-mini", "upstream_model": "gpt-4o-mini", "allow_visitors": false},
                {"alias": "amkr-gpt-4o-mini", "provider_id": "amkr-gpt-4o-mini", "upstream_model": "gpt-4o-mini", "allow_visitors": true}],
              "unified": {"alias": "unified-model", "route_alias": "gpt-4o-mini", "key_name": null},
              "keys": [{"name": "amkr local_api_key"}, {"name": "amkr visitor", "visitor": true}]}]}
            """);

        var (document, skipped) = AmkrConfigReader.Read(RouterConfig.Replace("-second-upstream-key\"}", "-second-upstream-key\", \"allow_visitor\": true}"), "default");

        Assert.True(JsonNode.DeepEquals(expected, document), document.ToJsonString());
        Assert.Equal(["upstream_routes https", "local_api_key", "visitor key amkr-visitor"], skipped.Select(s => s[..s.IndexOf(':')]));
    }

    [Theory]
    [InlineData(RouterConfig)]
    [InlineData(ProviderLayoutV2)]
    public async Task Amkr_AliasesGivenAsOneString_IsOneAlias(string config)
    {
        await using var amkr = await AmkrGateway.StartAsync(config.Replace("\"aliases\": [\"fast-mini\"]", "\"aliases\": \"fast\""));

        var plan = await amkr.ImportAsync("--dry-run");

        var routes = plan.GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).Where(c => c.StartsWith("+ route ") && !c.Contains("/amkr-")).Order();
        Assert.Equal(["+ route default/fast", "+ route default/gpt-4o-mini"], routes);
    }

    // config_version 2, written by hand in the shape auto_model_key_router/config.py reads it (RouterConfig.from_dict) and
    // router-config.example.json shows it, both at Sparrived/auto-model-key-router 09df63beba546beeb5ebc9583ec5884f2635c0d1:
    // providers keyed by id with their keys by name, models keyed by id, each target naming a provider's key.
    private const string ProviderLayoutV2 = """
        {
          "config_version": 2,
          "request_timeout": 45,
          "max_retries": 3,
          "local_api_key": "amkr_migrating-local-key",
          "routing_mode": "priority",
          "providers": {
            "openai": {
              "base_url": "https://api.openai.com",
              "routes": {"openai": "v1/chat/completions", "responses": "v1/responses"},
              "keys": {
                "primary": {"api_key": "sk-openai-primary-0001"},
                "spare": {"api_key": "sk-openai-spare-0002", "allow_visitor": true}
              }
            },
            "reseller": {
              "base_url": "https://reseller.example/plan/",
              "routes": {"anthropic": "anthropic"},
              "keys": {"primary": {"api_key": "sk-reseller-0003", "enabled": false}}
            }
          },
          "unified_model": {"model": "fast-mini", "key": "spare", "image_model": null, "image_key": null},
          "models": {
            "gpt-4o-mini": {
              "aliases": ["fast-mini"],
              "reasoning_effort": "medium",
              "targets": [
                {"provider": "openai", "key": "primary", "upstream_model": "gpt-4o-mini"},
                {"provider": "openai", "key": "spare"},
                {"provider": "reseller", "key": "primary", "upstream_model": "gpt-4o-mini"}
              ]
            }
          }
        }
        """;

    [Fact]
    public async Task Amkr_ProviderLayout_DryRunPlansAModelsProviderRoutesUnifiedAndKeys()
    {
        await using var amkr = await AmkrGateway.StartAsync(ProviderLayoutV2);

        var plan = await amkr.ImportAsync("--dry-run");

        Assert.False(plan.GetProperty("applied").GetBoolean());
        Assert.Equal(
            ["+ provider default/amkr-gpt-4o-mini", "+ route default/gpt-4o-mini", "+ route default/fast-mini", "+ route default/amkr-gpt-4o-mini",
             "+ key default/amkr local_api_key", "+ key default/amkr visitor", "+ unified default/unified-model (→ fast-mini)"],
            plan.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));
        var skipped = plan.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Contains(
            "upstream_routes https://reseller.example/plan: anthropic → anthropic/v1/messages became key reseller-primary of provider amkr-gpt-4o-mini's "
            + "native_endpoints.anthropic https://reseller.example/plan/anthropic",
            skipped);
        Assert.DoesNotContain(skipped, s => s.StartsWith("upstream_routes https://api.openai.com"));
        Assert.Contains(skipped, s => s.StartsWith("model gpt-4o-mini: reasoning_effort medium"));
        Assert.Empty((await amkr.Cli.JsonAsync("provider", "list")).GetProperty("providers").EnumerateArray());
    }

    [Fact]
    public async Task Amkr_ProviderLayout_ImportsEachTargetsKeyIntoItsModelsPool()
    {
        await using var amkr = await AmkrGateway.StartAsync(ProviderLayoutV2);

        await amkr.ImportAsync();

        var provider = (await amkr.Cli.JsonAsync("provider", "show", "amkr-gpt-4o-mini")).GetProperty("provider");
        Assert.Equal("https://api.openai.com/v1", provider.GetProperty("base_url").GetString());
        Assert.Equal("priority", provider.GetProperty("routing_mode").GetString());
        Assert.Equal(45, provider.GetProperty("timeout_seconds").GetInt32());
        var keys = provider.GetProperty("api_keys").EnumerateArray().ToList();
        Assert.Equal(["primary", "spare", "reseller-primary"], keys.Select(k => k.GetProperty("name").GetString()));
        Assert.Equal([true, true, false], keys.Select(k => k.GetProperty("enabled").GetBoolean()));
        Assert.Equal([false, true, false], keys.Select(k => k.GetProperty("allow_visitor").GetBoolean()));
        Assert.Equal("https://reseller.example/plan/v1", keys[2].GetProperty("base_url").GetString());
        Assert.Equal("https://reseller.example/plan/anthropic", keys[2].GetProperty("native_endpoints").GetProperty("anthropic").GetString());
        var keyId = keys[1].GetProperty("key_id").GetString();
        var secret = await AdminApi.GetAsync(amkr.Server.Admin, $"admin/llm/providers/amkr-gpt-4o-mini/keys/{keyId}/secret");
        Assert.Equal("sk-openai-spare-0002", secret.Body.GetProperty("api_key").GetString());
        var route = (await amkr.Cli.JsonAsync("route", "show", "fast-mini")).GetProperty("route");
        Assert.Equal("medium", route.GetProperty("default_reasoning_effort").GetString());
        Assert.False(route.GetProperty("allow_visitors").GetBoolean());
        Assert.True((await amkr.Cli.JsonAsync("route", "show", "amkr-gpt-4o-mini")).GetProperty("route").GetProperty("allow_visitors").GetBoolean());
        var unified = (await amkr.Cli.JsonAsync("unified", "show")).GetProperty("unified");
        Assert.Equal("fast-mini/spare", $"{unified.GetProperty("route_alias").GetString()}/{unified.GetProperty("key_name").GetString()}");
        Assert.Empty((await amkr.ImportAsync()).GetProperty("changes").EnumerateArray());
    }

    // config_version 4 as auto_model_key_router/config.py reads it at LiveSirius/auto-model-key-router
    // 58fb6f8c7b2c03b71fcb17fb137c9f92b6175501 (router-config.example.json there shows one): targets name a key again,
    // unified_model is {default: {primary, fallback}, image, embeddings}, and models may have hidden_aliases.
    private const string ProviderLayoutV4 = """
        {
          "config_version": 4,
          "request_timeout": 60,
          "stream_first_byte_timeout": 30,
          "stream_idle_timeout": 60,
          "local_api_key": "db_sk_kept-from-amkr-0123456789",
          "providers": {
            "openai": {
              "base_url": "https://api.openai.com",
              "keys": {
                "main": {"api_key": "sk-main-0123456789", "capabilities": {"models": ["gpt-4o-mini-2024-07-18"]}},
                "backup": {"api_key": "sk-backup-0123456789"}
              }
            }
          },
          "models": {
            "gpt-4o-mini": {
              "aliases": ["fast-mini"],
              "hidden_aliases": ["mini-latest"],
              "targets": [
                {"provider": "openai", "key": "main", "upstream_model": "gpt-4o-mini-2024-07-18"},
                {"provider": "openai", "key": "backup", "upstream_model": "gpt-4o-mini-2024-07-18"}
              ]
            },
            "text-embedding-3-small": {"targets": [{"provider": "openai", "key": "main"}]}
          },
          "unified_model": {
            "default": {"primary": {"model": "gpt-4o-mini", "key": "backup"}},
            "embeddings": {"primary": {"model": "text-embedding-3-small", "key": null}}
          },
          "tasks": {"TASK_000001": {"model": "gpt-4o-mini", "params": {"temperature": 0.2}}}
        }
        """;

    [Fact]
    public async Task Amkr_ProviderLayoutV4_ImportsUpstreamModelsHiddenAliasesAndTheDefaultUnifiedModel()
    {
        await using var amkr = await AmkrGateway.StartAsync(ProviderLayoutV4);

        var report = await amkr.ImportAsync();

        var routes = (await amkr.Cli.JsonAsync("route", "list")).GetProperty("routes").EnumerateArray()
            .Select(r => $"{r.GetProperty("alias").GetString()}→{r.GetProperty("provider_id").GetString()}:{r.GetProperty("upstream_model").GetString()}").Order();
        Assert.Equal(
            ["fast-mini→amkr-gpt-4o-mini:gpt-4o-mini-2024-07-18", "gpt-4o-mini→amkr-gpt-4o-mini:gpt-4o-mini-2024-07-18",
             "mini-latest→amkr-gpt-4o-mini:gpt-4o-mini-2024-07-18", "text-embedding-3-small→amkr-text-embedding-3-small:text-embedding-3-small"],
            routes);
        var keys = (await amkr.Cli.JsonAsync("provider", "show", "amkr-gpt-4o-mini")).GetProperty("provider").GetProperty("api_keys").EnumerateArray();
        Assert.Equal(["main", "backup"], keys.Select(k => k.GetProperty("name").GetString()));
        var unified = (await amkr.Cli.JsonAsync("unified", "show")).GetProperty("unified");
        Assert.Equal("gpt-4o-mini/backup", $"{unified.GetProperty("route_alias").GetString()}/{unified.GetProperty("key_name").GetString()}");
        var issued = Assert.Single((await amkr.Cli.JsonAsync("key", "list")).GetProperty("keys").EnumerateArray());
        var kept = await AdminApi.GetAsync(amkr.Server.Admin, $"admin/llm/keys/{issued.GetProperty("key_id").GetString()}/plaintext");
        Assert.Equal("db_sk_kept-from-amkr-0123456789", kept.Body.GetProperty("plaintext").GetString());
        var skipped = report.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()![..s.GetString()!.IndexOf(':')]).ToList();
        Assert.Equal(["tasks", "stream_first_byte_timeout, stream_idle_timeout", "model gpt-4o-mini", "unified_model.embeddings"], skipped);
        Assert.Empty((await amkr.ImportAsync()).GetProperty("changes").EnumerateArray());
    }

    [Fact]
    public async Task Amkr_ProviderLayoutV3_ImportsThePoolsKeysThatServeTheModel()
    {
        // config_version 3 as auto_model_key_router/config.py reads it at Sparrived/auto-model-key-router
        // 5ff8cab0af27b3459f5c8d3cd343f96beff1a547: targets name a provider's pool of keys; a pool's "models" whitelist
        // drops the targets calling another upstream model when AMKR migrates to version 4 (LiveSirius' config.py); a
        // provider without pools is one pool named default, and a pool may be the list of its keys alone. Key a, in two
        // of the pools, is imported once: a Keyway pool holds each upstream secret once.
        const string config = """
            {
              "config_version": 3,
              "providers": {
                "openai": {
                  "base_url": "https://api.openai.com",
                  "keys": {"a": {"api_key": "sk-a-0123456789"}, "b": {"api_key": "sk-b-0123456789"}, "c": {"api_key": "sk-c-0123456789"}},
                  "pools": {"team": {"keys": ["a", "b"]}, "gpt-4o-only": {"keys": ["c"], "models": ["gpt-4o"]}, "pair": ["a"]}
                },
                "backup": {"base_url": "https://backup.example", "keys": {"d": {"api_key": "sk-d-0123456789"}}}
              },
              "models": {"gpt-4o-mini": {"targets": [
                {"provider": "openai", "pool": "team"}, {"provider": "openai", "pool": "gpt-4o-only"},
                {"provider": "openai", "pool": "pair"}, {"provider": "backup", "pool": "default"}
              ]}}
            }
            """;
        await using var amkr = await AmkrGateway.StartAsync(config);

        var report = await amkr.ImportAsync();

        var keys = (await amkr.Cli.JsonAsync("provider", "show", "amkr-gpt-4o-mini")).GetProperty("provider").GetProperty("api_keys").EnumerateArray();
        Assert.Equal(["a", "b", "d"], keys.Select(k => k.GetProperty("name").GetString()));
        Assert.Equal("https://backup.example/v1", keys.Last().GetProperty("base_url").GetString());
        Assert.Contains(report.GetProperty("skipped").EnumerateArray(), s => s.GetString()!.StartsWith("model gpt-4o-mini: pool openai/gpt-4o-only"));
        Assert.Contains("provider amkr-gpt-4o-mini: key pair-a is key a again (the same api_key), which a Keyway pool holds once",
            report.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()));
    }

    /// <summary>
    /// The list layout: routes of the model's own base URL (top-level, or a key's own upstream_routes there) go to the
    /// provider, a key's own base URL's to that key; modes by their aliases, paths normalised as AMKR's config.py does.
    /// </summary>
    [Fact]
    public void Amkr_ListLayout_UpstreamRoutesOfEachBaseUrl_GoToTheProviderOrKeyCallingIt()
    {
        const string config = """
            {
              "default_base_url": "https://vendor.example/",
              "upstream_routes": {
                "https://vendor.example/": {"chat": "api/v1", "messages": "claude", "codex": "api/v1", "images": "img"},
                "https://unused.example": {"anthropic": "anthropic"}
              },
              "models": [{"id": "m", "keys": [
                {"name": "own", "api_key": "sk-own-0123456789", "upstream_routes": {"responses": "/resp//"}},
                {"name": "plan", "api_key": "sk-plan-0123456789", "base_url": "https://plan.example/tp",
                 "upstream_routes": {"openai": "openai/v1/chat/completions", "anthropic_messages": "x/v1"}}
              ]}]
            }
            """;

        var (document, skipped) = AmkrConfigReader.Read(config, "default");

        var provider = document["groups"]![0]!["providers"]![0]!;
        Assert.Equal("https://vendor.example/api/v1", provider["base_url"]!.ToString());
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"anthropic": "https://vendor.example/claude", "openai-responses": "https://vendor.example/resp/v1"}"""),
            provider["native_endpoints"]));
        var plan = provider["api_keys"]![1]!;
        Assert.Equal("https://plan.example/tp/openai/v1", plan["base_url"]!.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"anthropic": "https://plan.example/tp/x"}"""), plan["native_endpoints"]));
        Assert.Null(provider["api_keys"]![0]!["native_endpoints"]);
        Assert.Equal(
            ["upstream_routes https://vendor.example: openai → api/v1/chat/completions became provider amkr-m's base_url https://vendor.example/api/v1",
             "upstream_routes https://vendor.example: anthropic → claude/v1/messages became provider amkr-m's native_endpoints.anthropic https://vendor.example/claude",
             "upstream_routes https://vendor.example: responses → resp/v1/responses became provider amkr-m's native_endpoints.openai-responses https://vendor.example/resp/v1",
             "upstream_routes https://vendor.example: images → img/v1/images/generations: Keyway has no equivalent, it calls provider amkr-m's base_url + the standard path",
             "upstream_routes https://unused.example: no imported key calls this base URL"],
            skipped.Where(s => s.StartsWith("upstream_routes")).Except(skipped.Where(s => s.Contains("plan.example"))));
        Assert.Equal(2, skipped.Count(s => s.StartsWith("upstream_routes https://plan.example/tp: ")));
    }

    [Theory]
    [InlineData("\"local_api_key\": \"\",")]
    [InlineData("")]
    public void Amkr_WithoutALocalApiKey_GetsAnIssuedKeyForKeywaysLocalClients(string localApiKey)
    {
        var config = $$"""{{{localApiKey}} "models": [{"id": "m", "keys": [{"name": "k", "api_key": "sk-k-0123456789"}]}]}""";

        var (document, skipped) = AmkrConfigReader.Read(config, "team");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"name": "amkr-local-clients"}]"""), document["groups"]![0]!["keys"]));
        Assert.Contains(
            "local_api_key is empty, so AMKR served clients without a key: to keep that for clients on this machine, start Keyway with "
            + "KEYWAY_LOCAL_CLIENTS_KEY=team/amkr-local-clients (the issued key created for them); other clients need a key",
            skipped);
    }

    /// <summary>The later layout: a provider's routes go to the Keyway provider of the models whose first target calls it.</summary>
    [Fact]
    public void Amkr_ProviderLayout_ProviderRoutes_GoToTheModelsProvider()
    {
        const string config = """
            {
              "config_version": 2,
              "providers": {"mimo": {"base_url": "https://mimo.example/tokenplan", "routes": {"anthropic": "anthropic/", "bogus": "x"},
                "keys": {"k": {"api_key": "sk-k-0123456789"}}}},
              "models": {"mimo-v2": {"targets": [{"provider": "mimo", "key": "k"}]}}
            }
            """;

        var (document, skipped) = AmkrConfigReader.Read(config, "default");

        var provider = document["groups"]![0]!["providers"]![0]!;
        Assert.Equal(("https://mimo.example/tokenplan/v1", "https://mimo.example/tokenplan/anthropic"),
            (provider["base_url"]!.ToString(), provider["native_endpoints"]!["anthropic"]!.ToString()));
        Assert.Contains("provider mimo: routes https://mimo.example/tokenplan: mode bogus is not one AMKR knows", skipped);
    }

    [Theory]
    [InlineData("\"models\": \"gpt-4o-mini\"", "\"models\" is a string")]
    [InlineData("\"models\": [\"gpt-4o-mini\"]", "models[0] is a string")]
    [InlineData("\"models\": {\"gpt-4o-mini\": \"openai/main\"}", "models.gpt-4o-mini is a string")]
    [InlineData("\"models\": {\"gpt-4o-mini\": {\"targets\": [{\"provider\": \"openai\", \"key\": \"main\"}]}}", "model gpt-4o-mini: its target openai/main is not a key of providers")]
    [InlineData("\"config_version\": 5, \"models\": {}", "config_version 5 is newer than")]
    public async Task Amkr_ModelsThatCannotBeRead_AreRefusedWithExitCode2(string fields, string error)
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "router-config.json");
        await File.WriteAllTextAsync(file, $$"""{"local_api_key": "amkr_local", {{fields}}}""");

        var refused = await new CliRunner(null, dir.Path).RunAsync("import", "amkr", file, "--dry-run");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains(error, refused.Error);
    }
}
