using System.Text;
using System.Text.RegularExpressions;

namespace Keyway.Cli.Connect;

/// <summary>
/// Codex's files under $CODEX_HOME: the <c>[model_providers.keyway]</c> table in config.toml (replaced in place, the
/// rest of the file kept as written) and the profile file keyway.config.toml. Codex 0.134 and later read a profile
/// only from $CODEX_HOME/NAME.config.toml with top-level keys (`codex --profile keyway`); a [profiles.NAME] table in
/// config.toml is ignored. Codex speaks only the Responses API, so the provider uses wire_api = "responses".
/// </summary>
public static class CodexConfig
{
    public const string ProviderId = "keyway";
    public const string KeyVariable = "KEYWAY_API_KEY";
    public const string ProfileFileName = ProviderId + ".config.toml";
    private const string TableHeader = "[model_providers." + ProviderId + "]";

    /// <param name="keyInAuthFile">True: Codex takes the key from auth.json (requires_openai_auth); false: from $KEYWAY_API_KEY.</param>
    public static string ProviderTable(ConnectTarget target, bool keyInAuthFile) =>
        $"""
        {TableHeader}
        name = "Keyway"
        base_url = {Quote(target.BaseUrl + "/v1")}
        {(keyInAuthFile ? "requires_openai_auth = true" : $"env_key = \"{KeyVariable}\"")}
        wire_api = "responses"

        """;

    public static string Profile(ConnectTarget target) =>
        $"""
        # Written by `keyway connect codex`; use with `codex --profile {ProviderId}`.
        model = {Quote(target.Model)}
        model_provider = "{ProviderId}"

        """;

    /// <summary>config.toml with Keyway's provider table replaced (or appended), every other line untouched.</summary>
    public static string MergeProviderTable(string? existing, string table)
    {
        var kept = new StringBuilder();
        var skipping = false;
        foreach (var line in (existing ?? "").Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith('['))
            {
                skipping = OwnHeader.IsMatch(trimmed);
            }
            if (!skipping)
            {
                kept.Append(line).Append('\n');
            }
        }
        var text = kept.ToString().TrimEnd('\n');
        return (text.Length == 0 ? "" : text + "\n\n") + table;
    }

    /// <summary>
    /// Keyway's table header as TOML lets it be written: spaces around the brackets and dots, the key quoted, a comment
    /// after it. A header this missed would leave the old table in place next to the new one, and Codex refuses a
    /// config.toml that defines a table twice.
    /// </summary>
    private static readonly Regex OwnHeader = new(
        $"""^\[\s*model_providers\s*\.\s*(?:{ProviderId}|"{ProviderId}"|'{ProviderId}')\s*\]\s*(?:#.*)?$""", RegexOptions.CultureInvariant);

    /// <summary>A TOML basic string.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
