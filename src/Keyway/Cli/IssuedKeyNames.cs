using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// Issued keys' names by key id, for the tables of what the admin API reports by key id alone (the request log, stats by
/// key): read from the keys of one group, or of every group, when first asked, and again when asked for a key id they
/// did not hold (a key issued since), once per such id, so a revoked key's id costs one reading, not one per poll.
/// </summary>
public sealed class IssuedKeyNames(string? groupId)
{
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _names;

    /// <summary>The names, by key id, holding each of <paramref name="keyIds"/> that still names a key.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ForAsync(AdminClient admin, IEnumerable<string?> keyIds, CancellationToken cancellationToken)
    {
        var unknown = 0;
        foreach (var keyId in keyIds.OfType<string>())
        {
            if (_names?.ContainsKey(keyId) != true && _asked.Add(keyId))
            {
                unknown++;
            }
        }
        if (_names is null || unknown > 0)
        {
            _names = await ReadAsync(admin, cancellationToken);
        }
        return _names;
    }

    /// <summary>Who sent a logged request: its key's name, else its key id (a revoked key), else "-" (no key).</summary>
    public static string Of(JsonNode row, IReadOnlyDictionary<string, string> names) =>
        row["api_key_id"]?.ToString() is { } keyId ? names.GetValueOrDefault(keyId) ?? keyId : "-";

    private async Task<Dictionary<string, string>> ReadAsync(AdminClient admin, CancellationToken cancellationToken)
    {
        var groups = groupId is not null
            ? [groupId]
            : ((await admin.GetAsync("admin/llm/groups", cancellationToken))["groups"]?.AsArray() ?? []).Select(g => g!["group_id"]!.ToString());
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            foreach (var key in await KeysAsync(admin, group, cancellationToken))
            {
                names[key!["key_id"]!.ToString()] = key["name"]?.ToString() ?? "";
            }
        }
        return names;
    }

    /// <summary>The group's keys; none when the group is gone (its requests stay logged, `logs --group` still shows them).</summary>
    private static async Task<JsonArray> KeysAsync(AdminClient admin, string group, CancellationToken cancellationToken)
    {
        try
        {
            return (await admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(group)}/keys", cancellationToken))["keys"]?.AsArray() ?? [];
        }
        catch (CliException gone) when (gone.Status == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }
    }
}
