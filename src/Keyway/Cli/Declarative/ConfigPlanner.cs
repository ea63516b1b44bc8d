using System.Text.Json.Nodes;
using Keyway.Admin;
using Keyway.Security;

namespace Keyway.Cli.Declarative;

/// <summary>
/// Compares a declarative document (<c>groups: [{group_id, providers, tool_providers, routes, keys, unified}]</c>) with
/// what the gateway has and lists the admin calls that make them equal. Items are matched by id (alias for routes, name
/// for keys, or key_id where names repeat: <see cref="DeclaredMatch"/>); a field the file leaves out is left alone; items
/// the file does not list are deleted only with prune, after every other change.
/// </summary>
public sealed class ConfigPlanner(AdminClient admin, bool prune)
{
    public static readonly DeclaredResource Groups = new("groups", "group", "group_id", "group_id", "groups", ["group_id", "name", "enabled", "note"],
        ["created_at", "updated_at", "provider_count", "route_count", "key_count", "tool_count", "issued_keys"]);

    public async Task<List<PlannedChange>> PlanAsync(JsonNode document, CancellationToken cancellationToken)
    {
        var changes = new List<PlannedChange>();
        var currentGroups = (await admin.GetAsync("admin/llm/groups", cancellationToken))["groups"]?.AsArray() ?? [];
        var declaredGroups = Items(document, "groups");
        await GlobalIdConflicts.RefuseAsync(
            admin, declaredGroups, currentGroups.Select(g => g?["group_id"]?.ToString()).OfType<string>(), prune, cancellationToken);
        foreach (var declared in declaredGroups)
        {
            var groupId = Name(declared, Groups);
            var current = currentGroups.FirstOrDefault(g => g?["group_id"]?.ToString() == groupId);
            var body = Groups.Project(declared);
            if (current is null)
            {
                // Only a new group needs a name; an existing one keeps its own when the file leaves name out.
                body["name"] ??= groupId;
            }
            changes.AddRange(PlanItem(Groups, groupId, body, current, "admin/llm/groups"));
            var stale = new Dictionary<DeclaredResource, List<JsonObject>>();
            var existingItems = new Dictionary<DeclaredResource, JsonArray>();
            var existingRoutes = new JsonArray();
            foreach (var resource in DeclaredResource.All)
            {
                var existing = current is null ? [] : (await admin.GetAsync(resource.ListPath(groupId), cancellationToken))[resource.UrlCollection.Replace('-', '_')]?.AsArray() ?? [];
                var declaredItems = Items(declared, resource.Collection);
                changes.AddRange(await PlanCollectionAsync(resource, groupId, declaredItems, existing, cancellationToken));
                stale[resource] = prune ? DeclaredMatch.Undeclared(resource, declaredItems, existing) : [];
                existingItems[resource] = existing;
                if (resource == DeclaredResource.Routes)
                {
                    existingRoutes = existing;
                }
            }
            if (declared["unified"] is JsonObject unified)
            {
                changes.AddRange(await PlanUnifiedAsync(groupId, unified, current is not null, cancellationToken));
            }
            await PruneGuard.RefuseDanglingAsync(admin, groupId, declared, existingRoutes, stale, cancellationToken);
            // Deletions come last, dependents first: a provider deleted before the routes moved off it would take them along.
            foreach (var resource in DeclaredResource.All.Reverse())
            {
                changes.AddRange(stale[resource].Select(item => Deletion(resource, groupId, item, existingItems[resource])));
            }
        }
        return changes;
    }

    private static PlannedChange Deletion(DeclaredResource resource, string groupId, JsonObject stale, JsonArray existing)
    {
        var path = resource.ItemPath(stale);
        return new PlannedChange('-', $"{resource.Kind} {groupId}/{DeclaredMatch.Label(resource, stale, existing.OfType<JsonObject>())}", "", async (client, ct) =>
        {
            await client.DeleteAsync(path, ct);
            return null;
        });
    }

    private async Task<List<PlannedChange>> PlanCollectionAsync(
        DeclaredResource resource, string groupId, IReadOnlyList<JsonObject> declaredItems, JsonArray existing, CancellationToken cancellationToken)
    {
        var changes = new List<PlannedChange>();
        var pairs = DeclaredMatch.Pair(resource, declaredItems, existing);
        foreach (var (declared, current) in declaredItems.Zip(pairs))
        {
            var name = Name(declared, resource);
            var body = resource.Project(declared);
            if (current is null && resource.Fields.Contains("name"))
            {
                body["name"] ??= name;
            }
            if (resource == DeclaredResource.Providers && current is not null && body["extra_headers"] is JsonObject declaredHeaders
                && await SameExtraHeadersAsync(name, declaredHeaders, current, cancellationToken))
            {
                body["extra_headers"] = current["extra_headers"]?.DeepClone();
            }
            var extra = resource == DeclaredResource.Providers ? await KeyPoolChangeAsync(name, declared, current, cancellationToken) : null;
            if (extra is not null)
            {
                body["api_keys"] = extra;
            }
            if (resource == DeclaredResource.ToolProviders && current is null)
            {
                // The admin API never shows a tool's key, so the file can only give it for a tool that does not exist yet.
                body["api_key"] = declared["api_key"]?.DeepClone()
                    ?? throw new CliException($"tool provider {name}: api_key is required to create it", CliExitCodes.Usage);
            }
            if (resource == DeclaredResource.Keys && current is null && declared["plaintext"] is { } plaintext)
            {
                // A migrated key keeps the plaintext its clients use; it can only be given when the key is created.
                body["plaintext"] = plaintext.DeepClone();
            }
            var what = $"{groupId}/{DeclaredMatch.Label(resource, declared, declaredItems)}";
            changes.AddRange(PlanItem(resource, what, body, current, resource.ListPath(groupId), forceUpdate: extra is not null));
            if (resource == DeclaredResource.Routes)
            {
                changes.AddRange(await RouteFallbacks.PlanAsync(admin, groupId, declared, current, cancellationToken));
            }
        }
        return changes;
    }

    private static IEnumerable<PlannedChange> PlanItem(DeclaredResource resource, string what, JsonObject body, JsonNode? current, string createPath, bool forceUpdate = false)
    {
        if (current is null)
        {
            yield return new PlannedChange('+', $"{resource.Kind} {what}", "", async (client, ct) =>
            {
                var created = await client.PostAsync(createPath, body, ct);
                return created["plaintext"] is { } plaintext ? $"key {what}: {plaintext} (shown once)" : null;
            }, DeclaredBodyCheck.Refusal(resource, $"{resource.Kind} {what}", body, creating: true));
            yield break;
        }
        var patch = resource.Diff(body, current);
        if (forceUpdate)
        {
            patch["api_keys"] = body["api_keys"]?.DeepClone();
        }
        if (patch.Count > 0)
        {
            var path = resource == Groups ? $"admin/llm/groups/{Uri.EscapeDataString(current["group_id"]!.ToString())}" : resource.ItemPath(current);
            yield return new PlannedChange('~', $"{resource.Kind} {what}", string.Join(", ", patch.Select(p => p.Key)), async (client, ct) =>
            {
                await client.PatchAsync(path, patch, ct);
                return null;
            }, DeclaredBodyCheck.Refusal(resource, $"{resource.Kind} {what}", patch, creating: false));
        }
    }

    /// <summary>
    /// The declared key pool when it differs from the current one, else null. Keys are compared in full (revealed through
    /// the admin API); a file with masked keys, as `export` writes by default, keeps the gateway's pool when the masks match.
    /// </summary>
    private async Task<JsonArray?> KeyPoolChangeAsync(string providerId, JsonObject declared, JsonNode? current, CancellationToken cancellationToken)
    {
        if (declared["api_keys"] is not JsonArray keys)
        {
            return current is null ? throw new CliException($"provider {providerId}: api_keys is required to create it", CliExitCodes.Usage) : null;
        }
        var masked = keys.Any(k => k?["api_key"]?.ToString() is { } secret && SecretMask.IsMask(secret));
        var wanted = keys.OfType<JsonObject>().Select(k => KeyShape(k, k["api_key"]?.ToString())).ToList();
        var existing = new List<string>();
        foreach (var key in (current?["api_keys"]?.AsArray() ?? []).OfType<JsonObject>())
        {
            existing.Add(KeyShape(key, masked ? key["api_key"]?.ToString() : await RevealAsync(admin, providerId, key, cancellationToken)));
        }
        if (current is not null && wanted.SequenceEqual(existing))
        {
            return null;
        }
        return masked
            ? throw new CliException($"provider {providerId}: its key pool differs from the gateway's but the file has masked keys; export with --with-secrets or write the keys", CliExitCodes.Usage)
            : new JsonArray([.. keys.Select(k => k?.DeepClone())]);
    }

    /// <summary>
    /// Whether the declared extra_headers are the gateway's: masked values (as `export` writes them by default) against the
    /// masks the admin API shows, the others against the values it reveals. A masked value sent back keeps the stored one.
    /// </summary>
    private async Task<bool> SameExtraHeadersAsync(string providerId, JsonObject declared, JsonNode current, CancellationToken cancellationToken)
    {
        var masked = current["extra_headers"] as JsonObject ?? [];
        if (declared.Count != masked.Count)
        {
            return false;
        }
        var revealed = declared.All(header => SecretMask.IsMask(header.Value?.ToString() ?? ""))
            ? masked
            : await RevealExtraHeadersAsync(admin, providerId, cancellationToken);
        return declared.All(header =>
            (SecretMask.IsMask(header.Value?.ToString() ?? "") ? masked : revealed)[header.Key]?.ToString() == header.Value?.ToString());
    }

    public static async Task<JsonObject> RevealExtraHeadersAsync(AdminClient admin, string providerId, CancellationToken cancellationToken) =>
        (await admin.GetAsync($"admin/llm/providers/{Uri.EscapeDataString(providerId)}/extra-headers/secret", cancellationToken))["extra_headers"]
            ?.DeepClone() as JsonObject ?? [];

    public static async Task<string?> RevealAsync(AdminClient admin, string providerId, JsonNode key, CancellationToken cancellationToken) =>
        (await admin.GetAsync(
            $"admin/llm/providers/{Uri.EscapeDataString(providerId)}/keys/{Uri.EscapeDataString(key["key_id"]!.ToString())}/secret",
            cancellationToken))["api_key"]?.ToString();

    /// <summary>
    /// A pool key's declared fields; enabled, allow_visitor, max_concurrency and native_endpoints left out mean what the
    /// admin API takes them to mean.
    /// </summary>
    private static string KeyShape(JsonObject key, string? secret) =>
        $"{key["name"]}|{secret}|{string.Join(",", key["models"]?.AsArray().Select(m => m?.ToString()) ?? [])}|{key["base_url"]}"
        + $"|{key["enabled"]?.ToJsonString() ?? "true"}|{key["allow_visitor"]?.ToJsonString() ?? "false"}|{key["max_concurrency"]?.ToJsonString()}"
        + $"|{string.Join(",", (key["native_endpoints"] as JsonObject ?? []).OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"))}";

    private async Task<List<PlannedChange>> PlanUnifiedAsync(string groupId, JsonObject declared, bool groupExists, CancellationToken cancellationToken)
    {
        var path = $"admin/llm/groups/{Uri.EscapeDataString(groupId)}/unified";
        var current = groupExists ? (await admin.GetAsync(path, cancellationToken))["unified"] : null;
        var body = new JsonObject
        {
            ["alias"] = declared["alias"]?.DeepClone() ?? "unified-model",
            ["route_alias"] = declared["route_alias"]?.DeepClone(),
            ["key_name"] = declared["key_name"]?.DeepClone(),
        };
        if (current is not null && new[] { "alias", "route_alias", "key_name" }.All(f => JsonNode.DeepEquals(body[f], current[f])))
        {
            return [];
        }
        var what = $"unified {groupId}/{body["alias"]}";
        return [new PlannedChange(current is null ? '+' : '~', what, $"→ {body["route_alias"]}", async (client, ct) =>
        {
            await client.PutAsync(path, body, ct);
            return null;
        }, DeclaredBodyCheck.Refusal(what, body, AdminBodyCheck.Unified))];
    }

    public static IReadOnlyList<JsonObject> Items(JsonNode? parent, string property) => parent?[property] switch
    {
        null => [],
        JsonArray list => list.Select(item => item as JsonObject ?? throw new CliException($"every item of {property} must be a mapping", CliExitCodes.Usage)).ToList(),
        _ => throw new CliException($"{property} must be a list", CliExitCodes.Usage),
    };

    private static string Name(JsonObject item, DeclaredResource resource) =>
        item[resource.NameField]?.ToString() is { Length: > 0 } name ? name : throw new CliException($"a {resource.Kind} without {resource.NameField}", CliExitCodes.Usage);
}
