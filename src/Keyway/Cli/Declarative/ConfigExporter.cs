using System.Text.Json.Nodes;

namespace Keyway.Cli.Declarative;

/// <summary>
/// The gateway's configuration as a declarative document that `keyway apply` accepts. Upstream keys and providers'
/// extra_headers values are masked unless secrets are asked for; issued keys are listed by name, with their key_id when names repeat (their plaintext is never exported), tool providers without their key (the admin API never shows it).
/// </summary>
public sealed class ConfigExporter(AdminClient admin, bool withSecrets)
{
    public async Task<JsonObject> ExportAsync(string? onlyGroup, CancellationToken cancellationToken)
    {
        if (onlyGroup is not null)
        {
            // A misspelt --group is refused as every other command refuses it, instead of exporting an empty file.
            await admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(onlyGroup)}", cancellationToken);
        }
        var groups = new JsonArray();
        foreach (var group in (await admin.GetAsync("admin/llm/groups", cancellationToken))["groups"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var groupId = group["group_id"]!.ToString();
            if (onlyGroup is not null && onlyGroup != groupId)
            {
                continue;
            }
            var declared = new JsonObject { ["group_id"] = groupId, ["name"] = group["name"]?.DeepClone(), ["enabled"] = group["enabled"]?.DeepClone(), ["note"] = group["note"]?.DeepClone() };
            foreach (var resource in DeclaredResource.All)
            {
                var items = (await admin.GetAsync(resource.ListPath(groupId), cancellationToken))[resource.UrlCollection.Replace('-', '_')]?.AsArray().OfType<JsonObject>() ?? [];
                var exported = new JsonArray();
                foreach (var item in items)
                {
                    exported.Add((JsonNode)WithKeyIdIfNameRepeats(resource, await ExportItemAsync(resource, item, cancellationToken), item, items));
                }
                declared[resource.Collection] = exported;
            }
            if ((await admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(groupId)}/unified", cancellationToken))["unified"] is JsonObject unified)
            {
                declared["unified"] = new JsonObject { ["alias"] = unified["alias"]?.DeepClone(), ["route_alias"] = unified["route_alias"]?.DeepClone(), ["key_name"] = unified["key_name"]?.DeepClone() };
            }
            groups.Add((JsonNode)declared);
        }
        return new JsonObject { ["groups"] = groups };
    }

    /// <summary>
    /// Issued keys that share a name in the group are told apart by key_id, first, so that apply takes back the file;
    /// a key whose name is its own is written without it, so the file stays the same from one gateway to the next.
    /// </summary>
    private static JsonObject WithKeyIdIfNameRepeats(DeclaredResource resource, JsonObject projected, JsonObject item, IEnumerable<JsonObject> items)
    {
        var name = item[resource.NameField]?.ToString();
        if (resource != DeclaredResource.Keys || items.Count(other => other[resource.NameField]?.ToString() == name) < 2)
        {
            return projected;
        }
        var identified = new JsonObject { [DeclaredMatch.KeyIdField] = item[DeclaredMatch.KeyIdField]?.DeepClone() };
        foreach (var (field, value) in projected)
        {
            identified[field] = value?.DeepClone();
        }
        return identified;
    }

    private async Task<JsonObject> ExportItemAsync(DeclaredResource resource, JsonObject item, CancellationToken cancellationToken)
    {
        var projected = resource.Project(item);
        if (resource == DeclaredResource.Providers)
        {
            if (withSecrets)
            {
                projected["extra_headers"] = await ConfigPlanner.RevealExtraHeadersAsync(admin, item["provider_id"]!.ToString(), cancellationToken);
            }
            var keys = new JsonArray();
            foreach (var key in item["api_keys"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                var exported = new JsonObject();
                foreach (var field in DeclaredResource.PoolKeyFields)
                {
                    exported[field] = field == "api_key" && withSecrets
                        ? await ConfigPlanner.RevealAsync(admin, item["provider_id"]!.ToString(), key, cancellationToken)
                        : key[field]?.DeepClone();
                }
                keys.Add((JsonNode)exported);
            }
            projected["api_keys"] = keys;
        }
        if (resource == DeclaredResource.Routes)
        {
            projected["fallbacks"] = await RouteFallbacks.ExportAsync(admin, item, cancellationToken);
        }
        return projected;
    }
}
