using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway provider health [--group G]` and `provider reset-health P [--key KEY]`: each upstream key's state, cooldowns
/// (the whole key's, and each model's) and last failure, over GET /admin/llm/health; and clearing them, for a whole pool
/// or one key, on every instance (POST /admin/llm/health/{P}/reset).
/// </summary>
public static class ProviderHealthCommands
{
    private static readonly string[] KeyColumns =
        ["state", "cooldown_until", "model_cooldowns", "quarantine_reason", "consecutive_failures", "last_status", "last_error", "last_failure_at"];

    public static Command Health(CliContext context)
    {
        var group = CliOptions.Group();
        return new Command("health", "Each upstream key's state: ok, cooling (until when; for which models) or quarantined") { group }.WithAdminAction(context,
            (parse, admin, ct) => admin.GetAsync("admin/llm/health" + LogCommands.Query(("group_id", parse.GetRequiredValue(group))), ct),
            (output, answer) => WriteKeys(output, answer["health"]?.AsArray() ?? []));
    }

    public static Command ResetHealth(CliContext context)
    {
        var providerId = new Argument<string>("provider-id");
        var key = new Option<string?>("--key") { Description = "Only this key of the pool, by name or key id" };
        return new Command("reset-health", "Make a provider's keys usable again: clear their cooldowns and quarantine (every key, or --key)") { providerId, key }
            .WithAdminAction(context, async (parse, admin, ct) =>
            {
                var provider = parse.GetRequiredValue(providerId);
                var keyId = parse.GetValue(key) is { } reference
                    ? KeyPoolOrderCommands.KeyId(await KeyPoolOrderCommands.PoolAsync(admin, provider, ct), provider, reference)
                    : null;
                return await admin.PostAsync($"admin/llm/health/{Uri.EscapeDataString(provider)}/reset" + LogCommands.Query(("key_id", keyId)), new JsonObject(), ct);
            },
            (output, answer) => WriteKeys(output, [answer["health"]]));
    }

    /// <summary>One row per key of the providers' health, under its provider and name.</summary>
    private static void WriteKeys(CliContext context, IEnumerable<JsonNode?> providers) =>
        CliOutput.WriteTable(context, providers.OfType<JsonNode>().SelectMany(provider => (provider["keys"]?.AsArray() ?? []).OfType<JsonNode>().Select(key =>
        {
            var row = new JsonObject { ["provider_id"] = provider["provider_id"]?.DeepClone(), ["key"] = key["name"]?.DeepClone() };
            foreach (var column in KeyColumns)
            {
                row[column] = key[column]?.DeepClone();
            }
            return (JsonNode?)row;
        })), ["provider_id", "key", .. KeyColumns]);
}
