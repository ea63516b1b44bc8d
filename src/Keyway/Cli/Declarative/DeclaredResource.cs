using System.Text.Json.Nodes;

namespace Keyway.Cli.Declarative;

/// <summary>
/// One kind of thing the declarative file manages inside a group: where the admin API lists, creates and edits it, the
/// field naming an item in the file (<see cref="NameField"/>), the field in its admin URL (<see cref="PathField"/>), the
/// fields compared and written (<see cref="Fields"/>) and the fields of the admin API's answer that only the gateway sets
/// (<see cref="ServerFields"/>). The file uses the admin API's own field names, so export is a projection of its answers;
/// a test checks that the two lists together name every field of the answer, so a new admin field cannot be left out of
/// export and apply unnoticed.
/// </summary>
public sealed record DeclaredResource(
    string Collection, string Kind, string NameField, string PathField, string UrlCollection, string[] Fields, string[] ServerFields)
{
    public static readonly DeclaredResource Providers = new("providers", "provider", "provider_id", "provider_id", "providers",
        ["provider_id", "name", "base_url", "protocol", "routing_mode", "timeout_seconds", "enabled", "note", "extra_headers",
         "max_retries", "key_failure_threshold", "key_cooldown_seconds", "key_wait_seconds", "native_endpoints", "websocket",
         "thinking_switch", "auth_header", "reasoning_replay", "reasoning_split"],
        // api_keys is planned on its own (PoolKeyFields); api_key and api_key_set summarise it.
        ["group_id", "api_key", "api_key_set", "api_keys", "created_at", "updated_at"]);

    public static readonly DeclaredResource ToolProviders = new("tool_providers", "tool provider", "tool_id", "tool_id", "tool-providers",
        ["tool_id", "name", "kind", "config", "enabled"],
        ["group_id", "api_key_set", "created_at", "updated_at", "search_count", "search_failures", "last_search_at"]);

    public static readonly DeclaredResource Routes = new("routes", "route", "alias", "route_id", "routes",
        ["alias", "provider_id", "upstream_model", "upstream_path", "enabled", "note", "web_search", "default_reasoning_effort",
         "max_tokens_cap", "default_temperature", "allowed_paths", "allow_visitors"],
        ["route_id", "group_id", "created_at", "updated_at"]);

    public static readonly DeclaredResource Keys = new("keys", "key", "name", "key_id", "keys",
        ["name", "owner_user_id", "enabled", "expires_at", "web_search", "allowed_aliases", "rpm", "tpm", "max_concurrency",
         "daily_token_budget", "monthly_token_budget", "visitor"],
        ["key_id", "group_id", "key_prefix", "last_used_at", "created_at", "updated_at"]);

    /// <summary>A provider's pool key as the file writes it (api_key masked unless secrets are asked for).</summary>
    public static readonly string[] PoolKeyFields = ["name", "api_key", "models", "base_url", "native_endpoints", "enabled", "allow_visitor", "max_concurrency"];

    /// <summary>The fields of a pool key in the admin API's answer that only the gateway sets.</summary>
    public static readonly string[] PoolKeyServerFields = ["key_id", "sort_order", "created_at", "health"];

    /// <summary>In the order they must be applied: routes need their providers.</summary>
    public static readonly DeclaredResource[] All = [Providers, ToolProviders, Routes, Keys];

    public string ListPath(string groupId) => $"admin/llm/groups/{Uri.EscapeDataString(groupId)}/{UrlCollection}";

    public string ItemPath(JsonNode current) => $"admin/llm/{UrlCollection}/{Uri.EscapeDataString(current[PathField]!.ToString())}";

    /// <summary>The fields of <paramref name="item"/> this resource manages, in declaration order.</summary>
    public JsonObject Project(JsonNode item)
    {
        var projected = new JsonObject();
        foreach (var field in Fields)
        {
            if (item[field] is { } value)
            {
                projected[field] = value.DeepClone();
            }
        }
        return projected;
    }

    /// <summary>The declared fields whose value differs from the current one; empty when the item is as declared.</summary>
    public JsonObject Diff(JsonObject declared, JsonNode current)
    {
        var patch = new JsonObject();
        foreach (var field in Fields.Where(declared.ContainsKey))
        {
            if (!JsonNode.DeepEquals(declared[field], current[field]))
            {
                patch[field] = declared[field]?.DeepClone();
            }
        }
        return patch;
    }
}
