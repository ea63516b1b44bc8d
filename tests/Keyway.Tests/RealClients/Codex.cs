using System.Globalization;
using System.Text.Json;

namespace Keyway.Tests.RealClients;

/// <summary>
/// The real Codex CLI (<c>codex exec --json</c>) with a throw-away CODEX_HOME whose config.toml points a custom
/// Responses provider at <paramref name="baseUrl"/>: e.g. Keyway's <c>…/v1</c>.
/// </summary>
public static class Codex
{
    public const string ApiKeyVariable = "KEYWAY_API_KEY";

    /// <summary>What one run produced: the agent's final message and whether the turn completed, from the JSON event lines.</summary>
    public sealed record Run(ProcessResult Process, IReadOnlyList<JsonElement> Events)
    {
        public string? AgentMessage => Events
            .Where(e => Type(e) == "item.completed" && e.TryGetProperty("item", out var item) && Type(item) == "agent_message")
            .Select(e => e.GetProperty("item").GetProperty("text").GetString())
            .LastOrDefault();

        public bool TurnCompleted => Events.Any(e => Type(e) == "turn.completed");

        private static string? Type(JsonElement element) =>
            element.TryGetProperty("type", out var type) ? type.GetString() : null;
    }

    /// <param name="websockets">The provider's <c>supports_websockets</c>: Codex then talks the Responses WebSocket mode.</param>
    /// <param name="topLevelConfig">More top-level config.toml lines, e.g. <c>model_auto_compact_token_limit = 1</c>.</param>
    /// <param name="providerName">The provider's <c>name</c>; "OpenAI" makes Codex compact server-side (<c>compaction_trigger</c>).</param>
    public static async Task<Run> RunAsync(
        Uri baseUrl, string apiKey, string model, string prompt, string home, string workingDirectory, bool websockets = false, string topLevelConfig = "", string providerName = "Keyway")
    {
        var codexHome = Path.Combine(home, ".codex");
        Directory.CreateDirectory(codexHome);
        await File.WriteAllTextAsync(Path.Combine(codexHome, "config.toml"), topLevelConfig + "\n" + Config(baseUrl, model, websockets, providerName));
        var process = await NodeClients.RunAsync(
            NodeClients.Bin("codex"),
            ["exec", "--skip-git-repo-check", "--json", prompt],
            home,
            new Dictionary<string, string> { ["CODEX_HOME"] = codexHome, [ApiKeyVariable] = apiKey },
            workingDirectory);
        return new Run(process, Parse(process.Stdout));
    }

    /// <summary>REAL-CLIENTS.md's config: one custom Responses provider, no retries, no approvals, read-only sandbox.</summary>
    private static string Config(Uri baseUrl, string model, bool websockets, string providerName) => string.Create(CultureInfo.InvariantCulture, $"""
        model = "{model}"
        model_provider = "keyway"
        approval_policy = "never"
        sandbox_mode = "read-only"

        [model_providers.keyway]
        name = "{providerName}"
        base_url = "{baseUrl.ToString().TrimEnd('/')}"
        env_key = "{ApiKeyVariable}"
        wire_api = "responses"
        request_max_retries = 0
        stream_max_retries = 0
        supports_websockets = {(websockets ? "true" : "false")}
        """);

    private static List<JsonElement> Parse(string stdout)
    {
        var events = new List<JsonElement>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('{'))
            {
                events.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }
        return events;
    }
}
