using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway provider list|show|add|edit|remove|test|reorder|move-key|add-key|edit-key|health|reset-health`, over
/// /admin/llm/groups/{g}/providers and /admin/llm/providers/{id} (the pool's order: <see cref="KeyPoolOrderCommands"/>; one
/// key: <see cref="PoolKeyCommands"/>; the keys' cooldowns: <see cref="ProviderHealthCommands"/>).
/// </summary>
public static class ProviderCommands
{
    private static readonly string[] Columns = ["provider_id", "name", "protocol", "base_url", "enabled", "routing_mode", "api_keys"];

    public static Command Build(CliContext context)
    {
        var command = new Command("provider", "Upstream providers and their key pools (keys are shown masked)");
        command.AddGroupList(context, "providers", "List the providers of a group", Columns);

        command.AddShow(context, ItemArgument.Id("provider-id"), "providers", "provider", "Show one provider");

        var addId = new Argument<string>("provider-id");
        var addGroup = CliOptions.Group();
        var (addFields, addKeys) = Fields();
        command.Add(new Command("add", "Create a provider") { addId, addGroup, addKeys }.WithFields(addFields).WithAdminAction(context, (parse, admin, ct) =>
        {
            var body = Body(parse, addFields, addKeys, new JsonObject { ["provider_id"] = parse.GetValue(addId) });
            body["name"] ??= parse.GetValue(addId);
            return admin.PostAsync($"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(addGroup))}/providers", body, ct);
        }, AdminCommand.Fields("provider")));

        var editId = new Argument<string>("provider-id");
        var (editFields, editKeys) = Fields();
        command.Add(new Command("edit", "Change a provider; --api-key replaces the whole key pool") { editId, editKeys }.WithFields(editFields).WithAdminAction(context,
            (parse, admin, ct) => admin.PatchAsync($"admin/llm/providers/{AdminCommand.Segment(parse, editId)}", Body(parse, editFields, editKeys, []), ct),
            AdminCommand.Fields("provider")));

        command.AddRemove(context, ItemArgument.Id("provider-id"), "providers", "Delete a provider and the routes bound to it");

        var testId = new Argument<string>("provider-id");
        command.Add(new Command("test", "One small real chat call through the provider as stored (also while disabled); exit 1 when it fails") { testId }
            .WithAdminAction(context,
                (parse, admin, ct) => admin.PostAsync("admin/llm/test", new JsonObject { ["provider_id"] = parse.GetValue(testId) }, ct),
                AdminCommand.TestLine, AdminCommand.TestPassed));
        command.Add(KeyPoolOrderCommands.Reorder(context));
        command.Add(KeyPoolOrderCommands.MoveKey(context));
        command.Add(PoolKeyCommands.AddKey(context));
        command.Add(PoolKeyCommands.EditKey(context));
        command.Add(ProviderHealthCommands.Health(context));
        command.Add(ProviderHealthCommands.ResetHealth(context));
        return command;
    }

    private static (BodyField[] Fields, Option<string[]> Keys) Fields() =>
    ([
        BodyField.Text("--name", "name", "Display name"),
        BodyField.Text("--base-url", "base_url", "Upstream base URL (OpenAI: with /v1; Anthropic: without)"),
        BodyField.Text("--protocol", "protocol", "openai, anthropic or openai-responses"),
        NativeEndpoints("The provider's base URL for another protocol"),
        BodyField.Text("--routing-mode", "routing_mode", "How the key pool is used: round_robin, priority or only_first"),
        BodyField.Text("--thinking-switch", "thinking_switch", "How the vendor switches thinking on Chat requests: none, thinking_type or enable_thinking"),
        BodyField.Text("--auth-header", "auth_header", "The header carrying the upstream key: bearer, x-api-key or api-key"),
        BodyField.Override("--reasoning-replay", "reasoning_replay",
            "Whether translated Chat requests give assistant tool-call turns their reasoning back (reasoning_content): true or false, for a host the rule cannot know"),
        BodyField.Override("--reasoning-split", "reasoning_split",
            "Whether translated Chat requests ask MiniMax's reasoning_split and replay reasoning as reasoning_details: true for a reseller or proxy of MiniMax's API"),
        BodyField.Number("--timeout-seconds", "timeout_seconds", "Upstream timeout"),
        BodyField.Knob("--key-wait-seconds", "key_wait_seconds", "How long a request waits for a key of the pool to free or recover (0: fail at once)"),
        BodyField.Knob("--max-retries", "max_retries", "Further keys of the pool a failed request is tried on (0-10)"),
        BodyField.Knob("--key-failure-threshold", "key_failure_threshold", "Failures in a row that cool a key down (1-100)"),
        BodyField.Knob("--key-cooldown-seconds", "key_cooldown_seconds", "How long a key rests once cooled down (1-86400)"),
        BodyField.Map("--extra-header", "extra_headers", "A header sent upstream with every request, as NAME=VALUE (on edit, the headers given replace all)"),
        BodyField.Text("--note", "note", "Free-form note"),
        BodyField.Flag("--enabled", "enabled", "true or false"),
    ], new Option<string[]>("--api-key") { Description = "An upstream key, or NAME=KEY; repeat for a pool", AllowMultipleArgumentsPerToken = false });

    /// <summary>--native-endpoint PROTOCOL=URL, a provider's or a key's <c>native_endpoints</c>.</summary>
    public static BodyField NativeEndpoints(string description) =>
        BodyField.Map("--native-endpoint", "native_endpoints", description + ", as PROTOCOL=URL (anthropic=https://api.deepseek.com/anthropic)");

    private static JsonObject Body(ParseResult parse, BodyField[] fields, Option<string[]> keysOption, JsonObject start)
    {
        var body = BodyField.Body(parse, fields, start);
        if (KeyPool(parse.GetValue(keysOption) ?? []) is { } pool)
        {
            body["api_keys"] = pool;
        }
        return body;
    }

    /// <summary>
    /// "sk-…" entries are named "default" (a single key, as the admin API names it) or key-1, key-2…; "NAME=sk-…" keeps
    /// its name. Null when no key was given.
    /// </summary>
    public static JsonArray? KeyPool(IReadOnlyList<string> entries)
    {
        if (entries.Count == 0)
        {
            return null;
        }
        var pool = new JsonArray();
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, secret) = Split(entries[i]);
            pool.Add((JsonNode)new JsonObject { ["name"] = name ?? (entries.Count == 1 ? "default" : $"key-{i + 1}"), ["api_key"] = secret });
        }
        return pool;
    }

    /// <summary>NAME=KEY when NAME is a plain word and KEY is more than base64 padding; anything else is a bare key.</summary>
    private static (string? Name, string Secret) Split(string entry)
    {
        var equals = entry.IndexOf('=');
        var named = equals > 0
            && entry[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            && entry[(equals + 1)..].TrimStart('=').Length > 0;
        return named ? (entry[..equals], entry[(equals + 1)..]) : (null, entry);
    }
}
