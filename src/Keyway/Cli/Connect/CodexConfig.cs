using System.Text;

namespace Keyway.Cli.Connect;

/// <summary>
/// Codex's files under $CODEX_HOME: the <c>[model_providers.keyway]</c> table in config.toml (the old one removed, the
/// new one appended, the rest of the file kept as written) and the profile file keyway.config.toml. Codex 0.134 and later
/// read a profile only from $CODEX_HOME/NAME.config.toml with top-level keys (`codex --profile keyway`); a
/// [profiles.NAME] table in config.toml is ignored. Codex speaks only the Responses API, so the provider uses
/// wire_api = "responses".
/// </summary>
public static class CodexConfig
{
    public const string ProviderId = "keyway";
    public const string KeyVariable = "KEYWAY_API_KEY";
    public const string ProfileFileName = ProviderId + ".config.toml";
    private const string TableHeader = "[" + Providers + "." + ProviderId + "]";

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

    /// <summary>
    /// config.toml without Keyway's provider table, every other line untouched: what <see cref="WithProviderTable"/>
    /// adds the new table to. Read before anything is written or a key issued. A file that defines the provider another
    /// way (dotted keys, an inline table), or holds model_providers as one inline table, is refused (exit 2): a table
    /// added next to it would be a second definition, and Codex refuses such a config.toml.
    /// </summary>
    /// <param name="displayName">How the file is named in an error.</param>
    public static string WithoutProviderTable(string? existing, string displayName)
    {
        var kept = new StringBuilder();
        string[]? table = [];
        var skipping = false;
        string? openString = null;
        var lines = (existing ?? "").Split('\n');
        for (var number = 1; number <= lines.Length; number++)
        {
            var line = lines[number - 1];
            // A line that begins inside a multi-line string is the string's text, whatever it looks like.
            var isText = openString is not null;
            if (!isText && line.TrimStart().StartsWith('['))
            {
                table = TomlKey.Header(line);
                skipping = table is not null && table.SequenceEqual(OwnTable);
            }
            // Only a key/value line at the top level or in [model_providers] can reach into model_providers.keyway.
            else if (!isText && !skipping && table is { Length: < 2 } && TomlKey.OfPair(line) is { } key)
            {
                RefuseOtherDefinition([.. table, .. key], number, displayName);
            }
            if (!skipping)
            {
                kept.Append(line).Append('\n');
            }
            openString = TomlMultilineString.OpenAfter(line, openString);
        }
        return kept.ToString();
    }

    /// <summary>config.toml as <see cref="WithoutProviderTable"/> left it, with Keyway's table at the end.</summary>
    public static string WithProviderTable(string withoutTable, string table)
    {
        var text = withoutTable.TrimEnd('\n');
        return (text.Length == 0 ? "" : text + "\n\n") + table;
    }

    private const string Providers = "model_providers";
    private static readonly string[] OwnTable = [Providers, ProviderId];

    /// <param name="key">The full key the line sets: its table's parts, then its own.</param>
    /// <remarks>The error names the line by number only, as its value may be a secret.</remarks>
    private static void RefuseOtherDefinition(string[] key, int number, string displayName)
    {
        if (key.Length >= 2 && key.AsSpan(0, 2).SequenceEqual(OwnTable))
        {
            throw new CliException(
                $"{displayName} line {number} defines model_providers.{ProviderId} outside a {TableHeader} table (a dotted key or an inline table), and Codex refuses "
                + $"a provider defined twice: remove the settings written that way (connect writes the whole table) or move them into a {TableHeader} table, then run connect again",
                CliExitCodes.Usage);
        }
        if (key is [Providers])
        {
            throw new CliException(
                $"{displayName} line {number} sets model_providers as one inline table, which TOML does not let connect extend with a {TableHeader} table: "
                + "write each provider as a [model_providers.NAME] table, then run connect again",
                CliExitCodes.Usage);
        }
    }

    /// <summary>A TOML basic string.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
