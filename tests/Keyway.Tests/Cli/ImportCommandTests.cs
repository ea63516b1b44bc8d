using System.Security.Cryptography;
using System.Text;
using Keyway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Keyway.Tests.Cli;

/// <summary>import keyway-db (a fixture database with Fernet tokens).</summary>
public sealed class ImportCommandTests
{
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
