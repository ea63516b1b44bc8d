using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli.Connect;

/// <summary>`keyway connect claude-code|codex|env`: one-step client set-up against this gateway.</summary>
public static class ConnectCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("connect", "Set up a client (Claude Code, Codex, a shell) to use this gateway");
        command.Add(ClaudeCode(context));
        command.Add(Codex(context));
        command.Add(Env(context));
        return command;
    }

    private static Command ClaudeCode(CliContext context)
    {
        var options = ConnectTarget.Options.Create();
        var dir = new Option<string?>("--dir") { Description = "Project directory (default: the current one)" };
        var command = options.AddTo(new Command("claude-code", $"Write {ClaudeCodeSettings.RelativePath} in a project (other settings kept) and git-ignore it") { dir });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var admin = AdminCommand.Connect(context, parse);
            var project = Path.GetFullPath(parse.GetValue(dir) ?? ".", context.WorkingDirectory);
            var settingsPath = Path.Combine(project, ClaudeCodeSettings.RelativePath);
            var settings = ClaudeCodeSettings.Read(await ReadIfExistsAsync(settingsPath, cancellationToken));
            var target = await ConnectTarget.ResolveAsync(context, admin, parse, options, "claude-code", cancellationToken);
            var (json, changes) = ClaudeCodeSettings.Merge(settings, target);
            var files = new JsonObject
            {
                [settingsPath] = FileEdit.Write(settingsPath, json, privateFile: true),
                [Path.Combine(project, ".gitignore")] = FileEdit.IgnoreInGit(Path.Combine(project, ".gitignore"), ClaudeCodeSettings.RelativePath),
            };
            return Report(context, parse, target, files, changes, $"run `claude` in {project}");
        });
        return command;
    }

    private static Command Codex(CliContext context)
    {
        var options = ConnectTarget.Options.Create();
        var home = new Option<string?>("--codex-home") { Description = "Codex's directory (default: $CODEX_HOME, else ~/.codex)" };
        var writeKey = new Option<bool>("--write-key") { Description = "Store the key in Codex's auth.json instead of asking you to export KEYWAY_API_KEY" };
        var command = options.AddTo(new Command("codex", "Add a keyway provider to Codex's config.toml and a `keyway` profile") { home, writeKey });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var admin = AdminCommand.Connect(context, parse);
            var codexHome = CodexHome(context, parse.GetValue(home));
            var configPath = Path.Combine(codexHome, "config.toml");
            var authPath = Path.Combine(codexHome, "auth.json");
            var config = CodexConfig.WithoutProviderTable(await ReadIfExistsAsync(configPath, cancellationToken), configPath);
            var auth = parse.GetValue(writeKey) ? JsonObjectFile.Parse(await ReadIfExistsAsync(authPath, cancellationToken), authPath) : null;
            var target = await ConnectTarget.ResolveAsync(context, admin, parse, options, "codex", cancellationToken);
            var files = new JsonObject
            {
                [configPath] = FileEdit.Write(configPath, CodexConfig.WithProviderTable(config, CodexConfig.ProviderTable(target, parse.GetValue(writeKey)))),
                [Path.Combine(codexHome, CodexConfig.ProfileFileName)] = FileEdit.Write(Path.Combine(codexHome, CodexConfig.ProfileFileName), CodexConfig.Profile(target)),
            };
            if (auth is not null)
            {
                auth["OPENAI_API_KEY"] = target.Key;
                files[authPath] = FileEdit.Write(authPath, CliOutput.IndentedJson(auth) + "\n", privateFile: true);
            }
            var next = parse.GetValue(writeKey)
                ? $"run `codex --profile {CodexConfig.ProviderId}`"
                : $"export {CodexConfig.KeyVariable}={target.Key}, then run `codex --profile {CodexConfig.ProviderId}`";
            return Report(context, parse, target, files, [], next);
        });
        return command;
    }

    private static Command Env(CliContext context)
    {
        var options = ConnectTarget.Options.Create();
        var shell = new Option<string>("--shell") { Description = "sh (bash, zsh) or fish", DefaultValueFactory = _ => "sh" };
        shell.AcceptOnlyFromAmong("sh", "fish");
        var command = options.AddTo(new Command("env", "Print export lines for OpenAI and Anthropic SDKs and tools") { shell });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var admin = AdminCommand.Connect(context, parse);
            var target = await ConnectTarget.ResolveAsync(context, admin, parse, options, "shell", cancellationToken);
            (string Name, string Value)[] variables =
            [
                ("OPENAI_BASE_URL", target.BaseUrl + "/v1"),
                ("OPENAI_API_KEY", target.Key),
                (CodexConfig.KeyVariable, target.Key),
                .. ClaudeCodeSettings.Variables(target),
            ];
            if (parse.Json())
            {
                CliOutput.WriteJson(context, new JsonObject(variables.Select(v => KeyValuePair.Create(v.Name, (JsonNode?)v.Value))));
                return CliExitCodes.Ok;
            }
            foreach (var (name, value) in variables)
            {
                context.Out.WriteLine(parse.GetValue(shell) == "fish" ? $"set -gx {name} '{value}'" : $"export {name}='{value}'");
            }
            return CliExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// A client's file, read before the key is issued: every file is read and checked first, so a file connect refuses
    /// leaves every file as it was and issues no key for nothing.
    /// </summary>
    private static async Task<string?> ReadIfExistsAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;

    private static string CodexHome(CliContext context, string? option) =>
        Path.GetFullPath(option ?? context.Get("CODEX_HOME")
            ?? Path.Combine(context.Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".codex"), context.WorkingDirectory);

    private static int Report(CliContext context, ParseResult parse, ConnectTarget target, JsonObject files, List<string> changes, string next)
    {
        if (parse.Json())
        {
            CliOutput.WriteJson(context, new JsonObject
            {
                ["base_url"] = target.BaseUrl,
                ["model"] = target.Model,
                ["small_model"] = target.SmallModel,
                ["key_issued"] = target.KeyIssued,
                ["files"] = files,
                ["changes"] = new JsonArray([.. changes.Select(c => (JsonNode?)c)]),
            });
            return CliExitCodes.Ok;
        }
        foreach (var (path, what) in files)
        {
            context.Out.WriteLine($"{what,-9} {path}");
        }
        changes.ForEach(change => context.Out.WriteLine($"          {change}"));
        context.Out.WriteLine($"model {target.Model} (small: {target.SmallModel}) via {target.BaseUrl}; next: {next}");
        return CliExitCodes.Ok;
    }
}
