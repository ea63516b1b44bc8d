using System.Text.Json.Nodes;

namespace Keyway.Cli.Tui;

/// <summary>
/// How the TUI reads one upstream key's health of the admin API (<c>state</c>, <c>cooldown_until</c>,
/// <c>model_cooldowns</c>): its state is "cooling" as well when only some models are cooling, and such a key still serves
/// every other model, so it is not shown as down.
/// </summary>
public static class UpstreamKeyHealth
{
    /// <summary>Whether the key serves no model now: quarantined, or cooling as a whole.</summary>
    public static bool IsDown(JsonNode? health) =>
        health?["state"]?.ToString() switch
        {
            "quarantined" => true,
            "cooling" => health["cooldown_until"] is not null,
            _ => false,
        };

    /// <summary>The models a key that is not down is cooling for, each with its end (ISO-8601), soonest first.</summary>
    public static List<(string Model, string? Until)> CoolingModels(JsonNode? health) => IsDown(health)
        ? []
        : [.. (health?["model_cooldowns"] as JsonObject ?? []).Select(pair => (pair.Key, pair.Value?.ToString())).OrderBy(cooling => cooling.Item2, StringComparer.Ordinal)];
}
