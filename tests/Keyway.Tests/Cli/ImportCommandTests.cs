using System.Security.Cryptography;
using System.Text;
using Keyway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Keyway.Tests.Cli;

/// <summary>import amkr (the seed's example router-config.json) and import keyway-db (a fixture database with Fernet tokens).</summary>
public sealed class ImportCommandTests
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

    [Fact]
    public async Task KeywayDb_FileThatIsNoDatabase_IsRefusedWithExitCode2()
    {
        using var dir = new TempDirectory();
        var notADatabase = Path.Combine(dir.Path, "router-config.json");
        await File.WriteAllTextAsync(notADatabase, "{\"models\": []}\n" + new string(' ', 200));

        var refused = await new CliRunner(null, dir.Path).RunAsync("import", "keyway-db", notADatabase, "--secret", "python-keyway-secret-0123456789", "--dry-run");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"{notADatabase} cannot be read as a Keyway SQLite database", refused.Error);
    }

    [Fact]
    public async Task KeywayDb_OpensFernetSecretsAndKeepsIssuedKeys()
    {
        const string BobKey = "db_sk_python-issued-key-0123456789";
        const string secret = "python-keyway-secret-0123456789";
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);
        var database = Path.Combine(dir.Path, "keyway.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE llm_groups (group_id TEXT PRIMARY KEY, name TEXT, enabled INTEGER, note TEXT);
                CREATE TABLE llm_providers (provider_id TEXT PRIMARY KEY, group_id TEXT, name TEXT, base_url TEXT, protocol TEXT, api_key TEXT, enabled INTEGER, note TEXT);
                CREATE TABLE llm_routes (route_id TEXT PRIMARY KEY, group_id TEXT, alias TEXT, provider_id TEXT, upstream_model TEXT, upstream_path TEXT, enabled INTEGER, note TEXT);
                CREATE TABLE llm_route_providers (rp_id TEXT PRIMARY KEY, route_id TEXT, provider_id TEXT, upstream_model TEXT, priority INTEGER);
                CREATE TABLE llm_api_keys (key_id TEXT PRIMARY KEY, group_id TEXT, name TEXT, key_prefix TEXT, key_hash TEXT, plaintext TEXT, enabled INTEGER);
                INSERT INTO llm_groups VALUES ('team', 'Team', 1, 'from python');
                INSERT INTO llm_providers VALUES ('ds', 'team', 'DeepSeek', 'https://api.deepseek.com/v1', 'openai', '{FernetToken(secret, "sk-deepseek-0123456789")}', 1, '');
                INSERT INTO llm_providers VALUES ('an', 'team', 'Anthropic', 'https://api.anthropic.com', 'anthropic', '{FernetToken(secret, "sk-ant-0123456789")}', 0, '');
                INSERT INTO llm_routes VALUES ('r1', 'team', 'chat', 'ds', 'deepseek-chat', '', 1, '');
                INSERT INTO llm_route_providers VALUES ('rp1', 'r1', 'an', 'claude-haiku', 0);
                INSERT INTO llm_api_keys VALUES ('k1', 'team', 'bob', 'db_sk_abc', 'hash', '{FernetToken(secret, BobKey)}', 1);
                INSERT INTO llm_api_keys VALUES ('k2', 'team', 'eve', 'db_sk_short', 'hash2', '{FernetToken(secret, "db_sk_short")}', 1);
                """;
            command.ExecuteNonQuery();
        }
        var cli = new CliRunner(server, dir.Path);

        var wrong = await cli.RunAsync("import", "keyway-db", database, "--secret", "not-the-secret-0123456789");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("does not match --secret", wrong.Error);

        var report = await cli.JsonAsync("import", "keyway-db", database, "--secret", secret);
        Assert.Equal(["key team/eve"], report.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()![..12]));
        var revealed = await AdminApi.GetAsync(server.Admin, "admin/llm/providers/ds");
        var keyId = revealed.Body.GetProperty("provider").GetProperty("api_keys")[0].GetProperty("key_id").GetString();
        var plain = await AdminApi.GetAsync(server.Admin, $"admin/llm/providers/ds/keys/{keyId}/secret");
        Assert.Equal("sk-deepseek-0123456789", plain.Body.GetProperty("api_key").GetString());
        Assert.False((await cli.JsonAsync("provider", "show", "an")).GetProperty("provider").GetProperty("enabled").GetBoolean());
        var route = (await cli.JsonAsync("route", "show", "chat", "--group", "team")).GetProperty("route");
        Assert.Equal("claude-haiku", route.GetProperty("fallbacks")[0].GetProperty("upstream_model").GetString());
        var bob = (await cli.JsonAsync("key", "list", "--group", "team")).GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("name").GetString() == "bob");
        var kept = await AdminApi.GetAsync(server.Admin, $"admin/llm/keys/{bob.GetProperty("key_id").GetString()}/plaintext");
        Assert.Equal(BobKey, kept.Body.GetProperty("plaintext").GetString());
    }

    /// <summary>A CLI on <paramref name="server"/> and a router-config.json holding <paramref name="config"/>, in the test's directory.</summary>
    private static async Task<(CliRunner Cli, string File)> ArrangeAmkrAsync(KeywayServer server, TempDirectory dir, string config)
    {
        var file = Path.Combine(dir.Path, "router-config.json");
        await File.WriteAllTextAsync(file, config);
        return (new CliRunner(server, dir.Path), file);
    }

    /// <summary>A Fernet token as Python's cryptography writes it, keyed by base64url(SHA-256(secret)) (https://github.com/fernet/spec).</summary>
    private static string FernetToken(string secret, string plaintext)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        using var aes = Aes.Create();
        aes.Key = key[16..];
        var iv = new byte[16];
        var cipher = aes.EncryptCbc(Encoding.UTF8.GetBytes(plaintext), iv, PaddingMode.PKCS7);
        byte[] body = [0x80, 0, 0, 0, 0, 0x65, 0x00, 0x00, 0x00, .. iv, .. cipher];
        return Convert.ToBase64String([.. body, .. HMACSHA256.HashData(key.AsSpan(0, 16), body)]).Replace('+', '-').Replace('/', '_');
    }
}
