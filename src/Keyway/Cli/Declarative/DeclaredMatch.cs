using System.Text.Json.Nodes;

namespace Keyway.Cli.Declarative;

/// <summary>
/// Which of the gateway's items each declared item is. An item is named by its <see cref="DeclaredResource.NameField"/>,
/// unique in a group except an issued key's name: the admin API (compatible with the Python Keyway) lets a group hold
/// two keys of one name, so a key may also carry its key_id, as export writes it for such keys. A key_id the group does
/// not have (a file exported from another gateway) falls back to the name: the key of that name nothing else took that
/// already is as declared, else the first such key, so a file applied twice pairs its namesakes the same way.
/// </summary>
public static class DeclaredMatch
{
    public const string KeyIdField = "key_id";

    /// <summary>For each declared item, in order, the gateway's item it declares, or null when it is to be created.</summary>
    public static List<JsonObject?> Pair(DeclaredResource resource, IReadOnlyList<JsonObject> declared, JsonArray existing)
    {
        var unclaimed = existing.OfType<JsonObject>().ToList();
        var pairs = declared.Select(item => KeyId(resource, item) is { } id ? Take(unclaimed, item => item[KeyIdField]?.ToString() == id) : null).ToList();
        foreach (var asDeclared in new[] { true, false })
        {
            for (var i = 0; i < declared.Count; i++)
            {
                var name = declared[i][resource.NameField]?.ToString();
                var projected = resource.Project(declared[i]);
                pairs[i] ??= Take(unclaimed, item => item[resource.NameField]?.ToString() == name && (!asDeclared || resource.Diff(projected, item).Count == 0));
            }
        }
        return pairs;
    }

    /// <summary>
    /// The gateway's items the file does not declare, which prune deletes. A declaration without key_id covers every key
    /// of its name, as before keys could be told apart, so a file that names a key once never prunes its namesakes.
    /// </summary>
    public static List<JsonObject> Undeclared(DeclaredResource resource, IReadOnlyList<JsonObject> declared, JsonArray existing)
    {
        var paired = Pair(resource, declared, existing).OfType<JsonObject>().ToHashSet();
        var coveredNames = declared.Where(item => KeyId(resource, item) is null).Select(item => item[resource.NameField]?.ToString()).ToHashSet();
        return [.. existing.OfType<JsonObject>().Where(item => !paired.Contains(item) && !coveredNames.Contains(item[resource.NameField]?.ToString()))];
    }

    /// <summary>The item's name, with its key_id when <paramref name="siblings"/> hold that name more than once.</summary>
    public static string Label(DeclaredResource resource, JsonObject item, IEnumerable<JsonObject> siblings)
    {
        var name = item[resource.NameField]?.ToString();
        return KeyId(resource, item) is { } id && siblings.Count(s => s[resource.NameField]?.ToString() == name) > 1 ? $"{name} [{id}]" : name ?? "";
    }

    public static string? KeyId(DeclaredResource resource, JsonObject item) =>
        resource == DeclaredResource.Keys ? item[KeyIdField]?.ToString() : null;

    private static JsonObject? Take(List<JsonObject> unclaimed, Predicate<JsonObject> match)
    {
        var index = unclaimed.FindIndex(match);
        if (index < 0)
        {
            return null;
        }
        var taken = unclaimed[index];
        unclaimed.RemoveAt(index);
        return taken;
    }
}
