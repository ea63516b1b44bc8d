using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>connect claude-code|codex|env write into temp dirs: merges keep foreign settings, and a second run changes nothing.</summary>
public sealed class ConnectCommandTests
{
    private static async Task<(KeywayServer Server, CliRunner Cli)> StartAsync(TempDirectory dir, IReadOnlyDictionary<string, string>? environment = null)
    {
        var server = await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);
        var cli = new CliRunner(server, dir.Path, environment);
        await cli.JsonAsync("provider", "add", "p1", "--base-url", "https://p1.example/v1", "--api-key", "sk-p1-0123456789");
        await cli.JsonAsync("route", "add", "big", "--provider", "p1", "--model", "m-big");
        await cli.JsonAsync("route", "add", "small", "--provider", "p1", "--model", "m-small");
        return (server, cli);
    }

    [Fact]
    public async Task ClaudeCode_MergesSettingsAndIgnoresFile()
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartAsync(dir);
        await using var _ = server;
        var project = Directory.CreateDirectory(Path.Combine(dir.Path, "project")).FullName;
        Directory.CreateDirectory(Path.Combine(project, ".claude"));
        var settings = Path.Combine(project, ".claude", "settings.local.json");
        await File.WriteAllTextAsync(settings, """{"permissions":{"allow":["Read"]},"env":{"FOO":"bar","ANTHROPIC_MODEL":"old"}}""");
        await File.WriteAllTextAsync(Path.Combine(project, ".gitignore"), "bin/");

        var report = await cli.JsonAsync("connect", "claude-code", "--dir", project, "--model", "big", "--small-model", "small");
        Assert.True(report.GetProperty("key_issued").GetBoolean());
        Assert.Contains("changed env.ANTHROPIC_MODEL", report.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));

        var written = JsonDocument.Parse(await File.ReadAllTextAsync(settings)).RootElement;
        Assert.Equal("Read", written.GetProperty("permissions").GetProperty("allow")[0].GetString());
        var env = written.GetProperty("env");
        Assert.Equal("bar", env.GetProperty("FOO").GetString());
        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), env.GetProperty("ANTHROPIC_BASE_URL").GetString());
        Assert.Equal("big", env.GetProperty("ANTHROPIC_DEFAULT_OPUS_MODEL").GetString());
        Assert.Equal("small", env.GetProperty("ANTHROPIC_DEFAULT_HAIKU_MODEL").GetString());
        var key = env.GetProperty("ANTHROPIC_AUTH_TOKEN").GetString()!;
        using var client = server.ClientWithKey(key);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await AdminApi.GetAsync(client, "v1/models")).Status);
        Assert.Equal("bin/\n.claude/settings.local.json\n", await File.ReadAllTextAsync(Path.Combine(project, ".gitignore")));

        var again = await cli.JsonAsync("connect", "claude-code", "--dir", project, "--model", "big", "--small-model", "small");
        Assert.False(again.GetProperty("key_issued").GetBoolean());
        Assert.All(again.GetProperty("files").EnumerateObject(), file => Assert.Equal("unchanged", file.Value.GetString()));
        var keys = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/default/keys");
        Assert.Single(keys.GetProperty("keys").EnumerateArray(), k => k.GetProperty("name").GetString()!.StartsWith("claude-code (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Codex_WritesProviderTableAndProfile()
    {
        using var dir = new TempDirectory();
        var codexHome = Directory.CreateDirectory(Path.Combine(dir.Path, "codex")).FullName;
        var (server, cli) = await StartAsync(dir, new Dictionary<string, string> { ["CODEX_HOME"] = codexHome });
        await using var _ = server;
        var config = Path.Combine(codexHome, "config.toml");
        await File.WriteAllTextAsync(config, "model = \"gpt-5\"\n\n[model_providers.keyway]\nbase_url = \"http://old\"\n\n[mcp_servers.x]\ncommand = \"x\"\n");

        var report = await cli.JsonAsync("connect", "codex", "--key", "db_sk_given");
        Assert.Equal("big", report.GetProperty("model").GetString());
        var text = await File.ReadAllTextAsync(config);
        Assert.StartsWith("model = \"gpt-5\"\n\n[mcp_servers.x]\ncommand = \"x\"\n\n[model_providers.keyway]\n", text);
        Assert.Contains($"base_url = \"{server.BaseAddress}v1\"", text);
        Assert.Contains("wire_api = \"responses\"", text);
        Assert.Contains("env_key = \"KEYWAY_API_KEY\"", text);
        Assert.DoesNotContain("http://old", text);
        var profile = await File.ReadAllTextAsync(Path.Combine(codexHome, "keyway.config.toml"));
        Assert.Contains("model = \"big\"\nmodel_provider = \"keyway\"", profile);

        var again = await cli.JsonAsync("connect", "codex", "--key", "db_sk_given");
        Assert.All(again.GetProperty("files").EnumerateObject(), file => Assert.Equal("unchanged", file.Value.GetString()));

        await File.WriteAllTextAsync(Path.Combine(codexHome, "auth.json"), """{"tokens":{"id":"x"}}""");
        await cli.JsonAsync("connect", "codex", "--key", "db_sk_given", "--write-key");
        var auth = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(codexHome, "auth.json"))).RootElement;
        Assert.Equal("db_sk_given", auth.GetProperty("OPENAI_API_KEY").GetString());
        Assert.Equal("x", auth.GetProperty("tokens").GetProperty("id").GetString());
        Assert.Contains("requires_openai_auth = true", await File.ReadAllTextAsync(config));
    }

    [Fact]
    public async Task ClaudeCode_RefusesSettingsWhoseEnvIsNotAnObject()
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartAsync(dir);
        await using var _ = server;
        var settings = Path.Combine(Directory.CreateDirectory(Path.Combine(dir.Path, "project", ".claude")).FullName, "settings.local.json");
        const string original = """{"env":["FOO=bar"]}""";
        await File.WriteAllTextAsync(settings, original);

        var result = await cli.RunAsync("connect", "claude-code", "--dir", Path.Combine(dir.Path, "project"), "--key", "db_sk_given");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("\"env\" is not a JSON object", result.Error);
        Assert.Equal(original, await File.ReadAllTextAsync(settings));
    }

    [Theory]
    [InlineData("""{"OPENAI_API_KEY":"sk-mine",}""", "is not valid JSON")]
    [InlineData("""["sk-mine"]""", "is not a JSON object")]
    public async Task Codex_WriteKey_RefusesAuthFileItCannotMerge_BeforeWritingAnyFile(string authJson, string error)
    {
        using var dir = new TempDirectory();
        var codexHome = Directory.CreateDirectory(Path.Combine(dir.Path, "codex")).FullName;
        var (server, cli) = await StartAsync(dir);
        await using var _ = server;
        var auth = Path.Combine(codexHome, "auth.json");
        await File.WriteAllTextAsync(auth, authJson);

        var result = await cli.RunAsync("connect", "codex", "--codex-home", codexHome, "--key", "db_sk_given", "--write-key");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{auth} {error}", result.Error);
        Assert.Equal(authJson, await File.ReadAllTextAsync(auth));
        Assert.False(File.Exists(Path.Combine(codexHome, "config.toml")));
    }

    [Theory]
    [InlineData("claude-code", "project/.claude/settings.local.json", """{"env":["FOO=bar"]}""", 1, "is not a JSON object")]
    [InlineData("codex", "codex/auth.json", """["sk-mine"]""", 1, "is not a JSON object")]
    [InlineData("codex", "codex/config.toml", "model_providers.keyway.base_url = \"http://old\"\n", 2, "[model_providers.keyway]")]
    public async Task FileItCannotMerge_IsRefusedBeforeAKeyIsIssued(string client, string file, string content, int exitCode, string error)
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartAsync(dir);
        await using var _ = server;
        var path = Path.Combine(dir.Path, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content);
        string[] where = client == "codex"
            ? ["--codex-home", Path.Combine(dir.Path, "codex"), "--write-key"]
            : ["--dir", Path.Combine(dir.Path, "project")];

        var result = await cli.RunAsync(["connect", client, .. where]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(error, result.Error);
        Assert.Equal(content, await File.ReadAllTextAsync(path));
        var keys = await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/default/keys");
        Assert.Empty(keys.GetProperty("keys").EnumerateArray());
    }

    [Theory]
    [InlineData("model_providers.keyway.base_url = \"http://old\"\n", 1)]
    [InlineData("[model_providers]\nkeyway.base_url = \"http://old\"\n", 2)]
    [InlineData("[ model_providers ]\n\"keyway\" . base_url = \"http://old\" # by hand\n", 2)]
    [InlineData("[model_providers]\nkeyway = { base_url = \"http://old\" }\n", 2)]
    [InlineData("model_providers = { keyway = { base_url = \"http://old\" } }\n", 1)]
    [InlineData("model_providers = { other = { base_url = \"http://other\" } }\n", 1)]
    public void Codex_RefusesConfigWhereItsTableCannotGo_WithExitCode2(string existing, int line)
    {
        var refused = Assert.Throws<Keyway.Cli.CliException>(() => Keyway.Cli.Connect.CodexConfig.WithoutProviderTable("model = \"gpt-5\"\n" + existing, "config.toml"));

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"config.toml line {line + 1} ", refused.Message);
        Assert.Contains("[model_providers.keyway]", refused.Message);
    }

    [Fact]
    public void Codex_KeepsOtherProvidersWrittenAsDottedKeys()
    {
        const string existing = "model_providers.other.base_url = \"http://other\"\n\n[model_providers.keyway.http_headers]\nX-Team = \"a\"\n";
        var table = ProviderTable();

        Assert.Equal(existing + "\n" + table, Merge(existing, table));
    }

    [Theory]
    [InlineData("[model_providers.keyway] # set up by hand")]
    [InlineData("[ model_providers . keyway ]")]
    [InlineData("[model_providers.\"keyway\"]")]
    [InlineData("[model_providers.'keyway']")]
    public void Codex_ReplacesOwnTable_HoweverItsHeaderIsWritten(string header)
    {
        var existing = $"model = \"gpt-5\"\n\n{header}\nbase_url = \"http://old\"\n\n[mcp_servers.x]\ncommand = \"x\"\n";
        var table = ProviderTable();

        var merged = Merge(existing, table);

        Assert.Equal("model = \"gpt-5\"\n\n[mcp_servers.x]\ncommand = \"x\"\n\n" + table, merged);
    }

    [Fact]
    public async Task Codex_MultilineStringText_IsNoTable_AndTheRestOfTheFileKeepsEveryByte()
    {
        using var dir = new TempDirectory();
        var codexHome = Directory.CreateDirectory(Path.Combine(dir.Path, "codex")).FullName;
        var (server, cli) = await StartAsync(dir);
        await using var _ = server;
        var config = Path.Combine(codexHome, "config.toml");
        const string kept = "model = \"gpt-5\"\ninstructions = \"\"\"\n[not a table]\r\nmodel_providers.keyway.base_url = \"the text\"\n\"\"\"\n\n[mcp_servers.x]\ncommand = \"x\"\n";
        const string oldTable = "[model_providers.keyway]\nbase_url = \"http://old\"\nnote = '''\n[not a table either]\n'''\n";
        await File.WriteAllTextAsync(config, kept + "\n" + oldTable);

        await cli.JsonAsync("connect", "codex", "--codex-home", codexHome, "--key", "db_sk_given");

        var target = new Keyway.Cli.Connect.ConnectTarget(server.BaseAddress.ToString().TrimEnd('/'), "db_sk_given", false, "big", "big");
        Assert.Equal(kept + "\n" + Keyway.Cli.Connect.CodexConfig.ProviderTable(target, keyInAuthFile: false), await File.ReadAllTextAsync(config));
    }

    /// <summary>The lines of a multi-line string are its text, however much they look like a header or a key.</summary>
    [Theory]
    [InlineData("instructions = \"\"\"\n[model_providers.keyway]\nthe string's text\n\"\"\"\n\n[mcp_servers.x]\ncommand = \"x\"\n")]
    [InlineData("instructions = '''\n[model_providers]\nkeyway = { base_url = \"the text\" }\n'''\n")]
    [InlineData("instructions = \"\"\"a \\\"\"\" does not end it\n[model_providers.keyway]\n\"\"\"\n")]
    [InlineData("a = [\"\"\"x\"\"\"\", \"\"\"\n[model_providers.keyway]\n\"\"\"]\n")]
    public void Codex_KeepsMultilineStringText_ThatLooksLikeATable(string existing)
    {
        var table = ProviderTable();

        Assert.Equal(existing + "\n" + table, Merge(existing, table));
    }

    /// <summary>
    /// Strings that close on the line they open or after a '#' (text, not a comment, inside a string), and three quotes in a
    /// one-line string or a comment, leave the next header a header.
    /// </summary>
    [Theory]
    [InlineData("model = \"gpt-5\"\n[model_providers.keyway]\nnote = \"\"\"\n[not a table]\n\"\"\"\nbase_url = \"http://old\"\n")]
    [InlineData("a = \"\"\"closed on its line\"\"\"\n[model_providers.keyway]\nbase_url = \"http://old\"\n")]
    [InlineData("a = \"\"\"ends in two quotes\"\"\"\"\"\n[model_providers.keyway]\nbase_url = \"http://old\"\n")]
    [InlineData("a = '''C:\\dir\\'''\n[model_providers.keyway]\nbase_url = \"http://old\"\n")]
    [InlineData("a = \"\\\"\\\"\\\"\" # three escaped quotes\n[model_providers.keyway]\nbase_url = \"http://old\"\n")]
    [InlineData("a = \"\"\"\n[model_providers.keyway]\nnot a comment # \"\"\"\n[model_providers.keyway]\nbase_url = \"http://old\"\n")]
    [InlineData("a = '\"\"\"' # \"\"\" in a comment\n[model_providers.keyway]\nbase_url = \"http://old\"\n")]
    public void Codex_ReplacesOwnTable_PastMultilineStrings(string existing)
    {
        const string after = "\n[mcp_servers.x]\ncommand = \"x\"\n";
        var table = ProviderTable();
        var before = existing[..existing.LastIndexOf("[model_providers.keyway]", StringComparison.Ordinal)];

        Assert.Equal(before + after.TrimStart('\n') + "\n" + table, Merge(existing + after, table));
    }

    [Fact]
    public async Task Env_PrintsExports()
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartAsync(dir);
        await using var _ = server;
        await cli.JsonAsync("unified", "switch-model", "small");
        var result = await cli.RunAsync("connect", "env", "--key", "db_sk_given");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"export OPENAI_BASE_URL='{server.BaseAddress}v1'", result.Out);
        Assert.Contains("export ANTHROPIC_AUTH_TOKEN='db_sk_given'", result.Out);
        Assert.Contains("export ANTHROPIC_MODEL='unified-model'", result.Out);
        var fish = await cli.RunAsync("connect", "env", "--key", "db_sk_given", "--shell", "fish");
        Assert.Contains("set -gx OPENAI_API_KEY 'db_sk_given'", fish.Out);
    }

    [Fact]
    public async Task Env_OfAUnifiedModelWhoseRouteIsDisabled_DefaultsToTheFirstEnabledRoute()
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartAsync(dir);
        await using var _ = server;
        await cli.JsonAsync("unified", "switch-model", "small");
        await cli.JsonAsync("route", "edit", "small", "--enabled", "false");

        var result = await cli.RunAsync("connect", "env", "--key", "db_sk_given");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("export ANTHROPIC_MODEL='big'", result.Out);
    }

    [Theory]
    [InlineData("env")]
    [InlineData("claude-code", "--dir", "project")]
    [InlineData("codex")]
    public async Task IssuingAKey_IsSaidOnStderr_ByNameAndId_WithHowToRevokeIt(params string[] args)
    {
        using var dir = new TempDirectory();
        var (server, cli) = await StartAsync(dir, new Dictionary<string, string> { ["CODEX_HOME"] = Path.Combine(dir.Path, "codex") });
        await using var _ = server;

        var first = await cli.RunAsync(["connect", .. args]);
        var again = await cli.RunAsync(["connect", .. args]);

        Assert.Equal(0, first.ExitCode);
        var issued = (await AdminApi.OkAsync(server.Admin, HttpMethod.Get, "admin/llm/groups/default/keys")).GetProperty("keys").EnumerateArray().Single();
        var (name, id) = (issued.GetProperty("name").GetString(), issued.GetProperty("key_id").GetString());
        Assert.Equal($"issued key '{name}' ({id}) for this client; revoke it with: keyway key remove {id}", first.Error.Trim());
        Assert.DoesNotContain("db_sk_", first.Error);
        Assert.DoesNotContain("issued", first.Out);
        Assert.Equal("", again.Error);
    }

    private static string ProviderTable() =>
        Keyway.Cli.Connect.CodexConfig.ProviderTable(new Keyway.Cli.Connect.ConnectTarget("http://127.0.0.1:9233", "db_sk_given", false, "big", "big"), keyInAuthFile: false);

    private static string Merge(string existing, string table) =>
        Keyway.Cli.Connect.CodexConfig.WithProviderTable(Keyway.Cli.Connect.CodexConfig.WithoutProviderTable(existing, "config.toml"), table);
}
