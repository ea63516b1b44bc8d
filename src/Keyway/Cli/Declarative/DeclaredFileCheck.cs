using System.Text.Json.Nodes;

namespace Keyway.Cli.Declarative;

/// <summary>
/// Checks a declarative file's shape before anything is planned: every field must be one the file format knows, and
/// an item may be declared once. The planner reads only the fields it knows, so a misspelt one (<c>base_urll</c>) was
/// ignored and the apply reported "no changes"; an item declared twice was planned twice and the last one won.
/// Fields only the gateway sets (ids, timestamps) are known too: they are ignored, as a pasted `--json` answer has them.
/// </summary>
public static class DeclaredFileCheck
{
    private static readonly string[] GroupFields = [.. ConfigPlanner.Groups.Fields, .. ConfigPlanner.Groups.ServerFields, "unified",
        .. DeclaredResource.All.Select(resource => resource.Collection)];

    private static readonly Dictionary<DeclaredResource, string[]> ExtraFields = new()
    {
        [DeclaredResource.Providers] = ["api_keys"],
        [DeclaredResource.ToolProviders] = ["api_key"],
        [DeclaredResource.Routes] = ["fallbacks"],
        [DeclaredResource.Keys] = ["plaintext"],
    };

    private static readonly string[] PoolKeyFields = [.. DeclaredResource.PoolKeyFields, .. DeclaredResource.PoolKeyServerFields];
    private static readonly string[] FallbackFields = ["provider_id", "upstream_model", "enabled"];
    private static readonly string[] UnifiedFields = ["alias", "route_alias", "key_name"];

    /// <exception cref="CliException">Exit code 2, naming every unknown field and every item declared twice.</exception>
    public static void Refuse(JsonNode document)
    {
        var problems = new List<string>();
        Unknown(document as JsonObject ?? throw new CliException("the file must be a mapping with a groups list", CliExitCodes.Usage), ["groups"], "the file", problems);
        var groups = ConfigPlanner.Items(document, "groups");
        Twice(groups, ConfigPlanner.Groups.NameField, name => $"group {name}", problems);
        foreach (var group in groups)
        {
            var groupId = group[ConfigPlanner.Groups.NameField]?.ToString();
            Unknown(group, GroupFields, $"group {groupId}", problems);
            if (group["unified"] is JsonObject unified)
            {
                Unknown(unified, UnifiedFields, $"unified of group {groupId}", problems);
            }
            foreach (var resource in DeclaredResource.All)
            {
                var items = ConfigPlanner.Items(group, resource.Collection);
                if (resource == DeclaredResource.Keys)
                {
                    TwiceKeys(items, groupId, problems);
                }
                else
                {
                    Twice(items, resource.NameField, name => $"{resource.Kind} {groupId}/{name}", problems);
                }
                foreach (var item in items)
                {
                    var what = $"{resource.Kind} {groupId}/{item[resource.NameField]}";
                    Unknown(item, [.. resource.Fields, .. resource.ServerFields, .. ExtraFields[resource]], what, problems);
                    Members(item, "api_keys", PoolKeyFields, $"{what} api_keys", problems);
                    Members(item, "fallbacks", FallbackFields, $"{what} fallbacks", problems);
                }
            }
        }
        if (problems.Count > 0)
        {
            throw new CliException($"nothing was changed: {string.Join("; ", problems)}", CliExitCodes.Usage);
        }
    }

    private static void Unknown(JsonObject item, string[] known, string what, List<string> problems)
    {
        var unknown = item.Select(field => field.Key).Where(name => !known.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"{what}: unknown field{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown)}");
        }
    }

    private static void Members(JsonObject item, string list, string[] known, string what, List<string> problems)
    {
        foreach (var member in (item[list] as JsonArray ?? []).OfType<JsonObject>())
        {
            Unknown(member, known, what, problems);
        }
    }

    /// <summary>
    /// Issued keys may share a name (the admin API allows it), so a name may repeat when every key of it carries its
    /// key_id, as export writes them; a key_id may not repeat.
    /// </summary>
    private static void TwiceKeys(IReadOnlyList<JsonObject> keys, string? groupId, List<string> problems)
    {
        var idField = DeclaredMatch.KeyIdField;
        Twice(keys, idField, id => $"{idField} {id} of group {groupId}", problems);
        problems.AddRange(keys.GroupBy(key => key[DeclaredResource.Keys.NameField]?.ToString())
            .Where(g => g.Key is not null && g.Count() > 1 && g.Any(key => key[idField] is null))
            .Select(g => $"key {groupId}/{g.Key} is declared {g.Count()} times: give each its {idField}, as export writes them"));
    }

    private static void Twice(IReadOnlyList<JsonObject> items, string nameField, Func<string, string> what, List<string> problems) =>
        problems.AddRange(items.GroupBy(item => item[nameField]?.ToString()).Where(g => g.Key is not null && g.Count() > 1)
            .Select(g => $"{what(g.Key!)} is declared {g.Count()} times"));
}
