using System.Text.Json.Nodes;

namespace Keyway.Cli.Connect;

/// <summary>
/// Merges Keyway's variables into the "env" object of Claude Code's .claude/settings.local.json, keeping every other
/// setting and variable. Claude Code sends ANTHROPIC_AUTH_TOKEN as a Bearer token and maps its opus/sonnet/haiku tiers
/// through the ANTHROPIC_DEFAULT_*_MODEL variables (see docs/REAL-CLIENTS in the shared notes).
/// </summary>
public static class ClaudeCodeSettings
{
    public const string RelativePath = ".claude/settings.local.json";

    public static IReadOnlyList<(string Name, string Value)> Variables(ConnectTarget target) =>
    [
        ("ANTHROPIC_BASE_URL", target.BaseUrl),
        ("ANTHROPIC_AUTH_TOKEN", target.Key),
        ("ANTHROPIC_MODEL", target.Model),
        ("ANTHROPIC_DEFAULT_OPUS_MODEL", target.Model),
        ("ANTHROPIC_DEFAULT_SONNET_MODEL", target.Model),
        ("ANTHROPIC_DEFAULT_HAIKU_MODEL", target.SmallModel),
    ];

    /// <summary>The settings file checked for <see cref="Merge"/>, before anything is written or a key issued.</summary>
    public static JsonObject Read(string? existing)
    {
        var settings = JsonObjectFile.Parse(existing, RelativePath);
        JsonObjectFile.Member(settings, "env", RelativePath);
        return settings;
    }

    /// <summary>The merged document and, per variable, whether it was added, changed or already so.</summary>
    public static (string Json, List<string> Changes) Merge(JsonObject settings, ConnectTarget target)
    {
        var env = JsonObjectFile.Member(settings, "env", RelativePath);
        var changes = new List<string>();
        foreach (var (name, value) in Variables(target))
        {
            var before = env[name]?.ToString();
            env[name] = value;
            changes.Add($"{(before is null ? "added" : before == value ? "kept" : "changed")} env.{name}");
        }
        return (CliOutput.IndentedJson(settings) + "\n", changes);
    }
}
