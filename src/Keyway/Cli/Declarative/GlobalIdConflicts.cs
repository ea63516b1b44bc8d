using System.Text.Json.Nodes;
using Keyway.Security;

namespace Keyway.Cli.Declarative;

/// <summary>
/// What the gateway keeps unique across groups, checked before the first write: a provider_id or tool_id held by another
/// group (or declared by the file in two), and an issued key's plaintext that already is another key. The admin API
/// refuses each with 409; planned as a create, it stopped the apply half-way with the gateway partly changed.
/// </summary>
internal static class GlobalIdConflicts
{
    private static readonly DeclaredResource[] GlobalIds = [DeclaredResource.Providers, DeclaredResource.ToolProviders];

    /// <exception cref="CliException">One or more ids conflict; all of them are named.</exception>
    public static async Task RefuseAsync(
        AdminClient admin, IReadOnlyList<JsonObject> declaredGroups, IEnumerable<string> currentGroupIds, bool prune, CancellationToken cancellationToken)
    {
        var current = GlobalIds.Append(DeclaredResource.Keys).ToDictionary(resource => resource, _ => new List<(string GroupId, JsonObject Item)>());
        foreach (var groupId in currentGroupIds)
        {
            foreach (var resource in current.Keys)
            {
                var items = (await admin.GetAsync(resource.ListPath(groupId), cancellationToken))[resource.UrlCollection.Replace('-', '_')]?.AsArray() ?? [];
                current[resource].AddRange(items.OfType<JsonObject>().Select(item => (groupId, item)));
            }
        }
        var conflicts = new List<string>();
        foreach (var resource in GlobalIds)
        {
            conflicts.AddRange(IdConflicts(resource, declaredGroups, current[resource], prune));
        }
        conflicts.AddRange(await PlaintextConflictsAsync(admin, declaredGroups, current[DeclaredResource.Keys], cancellationToken));
        if (conflicts.Count > 0)
        {
            throw new CliException($"nothing was changed: the file names ids that are unique across groups and taken elsewhere: {string.Join("; ", conflicts)}");
        }
    }

    private static IEnumerable<string> IdConflicts(
        DeclaredResource resource, IReadOnlyList<JsonObject> declaredGroups, List<(string GroupId, JsonObject Item)> current, bool prune)
    {
        var declared = declaredGroups.Select(group => (
            GroupId: group[ConfigPlanner.Groups.NameField]?.ToString() ?? "",
            Ids: ConfigPlanner.Items(group, resource.Collection).Select(item => item[resource.NameField]?.ToString()).OfType<string>().ToList())).ToList();
        var declaredIn = new Dictionary<string, string>();
        for (var index = 0; index < declared.Count; index++)
        {
            var (groupId, ids) = declared[index];
            foreach (var id in ids)
            {
                if (!declaredIn.TryAdd(id, groupId) && declaredIn[id] != groupId)
                {
                    yield return $"{resource.Kind} '{id}' is declared in groups '{declaredIn[id]}' and '{groupId}'";
                }
                var owner = current.Where(c => c.Item[resource.NameField]?.ToString() == id).Select(c => c.GroupId).FirstOrDefault();
                // With --prune a group planned earlier that no longer lists the id gives it up before this group takes it.
                var released = prune && declared.Take(index).Any(d => d.GroupId == owner && !d.Ids.Contains(id));
                if (owner is not null && owner != groupId && !released)
                {
                    yield return $"{resource.Kind} '{id}' belongs to group '{owner}', not '{groupId}'";
                }
            }
        }
    }

    /// <summary>
    /// A key to create with a given plaintext whose hash another key holds. Only keys with the same display prefix are
    /// revealed to compare.
    /// </summary>
    private static async Task<List<string>> PlaintextConflictsAsync(
        AdminClient admin, IReadOnlyList<JsonObject> declaredGroups, List<(string GroupId, JsonObject Item)> current, CancellationToken cancellationToken)
    {
        var conflicts = new List<string>();
        var declaredBy = new Dictionary<string, string>();
        foreach (var group in declaredGroups)
        {
            var groupId = group[ConfigPlanner.Groups.NameField]?.ToString() ?? "";
            foreach (var key in ConfigPlanner.Items(group, DeclaredResource.Keys.Collection))
            {
                var name = key["name"]?.ToString();
                if (key["plaintext"]?.ToString() is not { } plaintext
                    || current.Any(c => c.GroupId == groupId && c.Item["name"]?.ToString() == name))
                {
                    continue;
                }
                if (!declaredBy.TryAdd(plaintext, $"{groupId}/{name}"))
                {
                    conflicts.Add($"key {groupId}/{name}: its plaintext is also the file's key {declaredBy[plaintext]}");
                    continue;
                }
                foreach (var (ownerGroup, existing) in current.Where(c => c.Item["key_prefix"]?.ToString() == IssuedKeys.DisplayPrefix(plaintext)))
                {
                    var revealed = await admin.GetAsync($"admin/llm/keys/{Uri.EscapeDataString(existing["key_id"]!.ToString())}/plaintext", cancellationToken);
                    if (revealed["plaintext"]?.ToString() == plaintext)
                    {
                        conflicts.Add($"key {groupId}/{name}: its plaintext is already key {ownerGroup}/{existing["name"]}");
                    }
                }
            }
        }
        return conflicts;
    }
}
