using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// An item named on the command line by its id or by its name, looked up in a listing of the admin API: the one
/// resolver for routes (by alias), the keys of a provider's pool and issued keys (by name).
/// </summary>
public static class ItemReference
{
    /// <summary>
    /// The id of the item whose <paramref name="idField"/> is <paramref name="reference"/>, else of the one item whose
    /// <paramref name="nameField"/> is; null when none is. Issued keys may share a name, so a name several items hold is
    /// refused (a usage error) with their ids, rather than one of them chosen.
    /// </summary>
    /// <param name="what">The items, for the refusal: "keys in group 'default'".</param>
    public static string? IdOf(IEnumerable<JsonNode?> items, string reference, string idField, string nameField, string what)
    {
        var listed = items.OfType<JsonObject>().ToList();
        if (listed.Exists(item => item[idField]?.ToString() == reference))
        {
            return reference;
        }
        var named = listed.Where(item => item[nameField]?.ToString() == reference).Select(item => item[idField]!.ToString()).ToList();
        return named.Count switch
        {
            0 => null,
            1 => named[0],
            _ => throw new CliException(
                $"'{reference}' is the name of {named.Count} {what}: {string.Join(", ", named.Order(StringComparer.Ordinal))}; name one by its id",
                CliExitCodes.Usage),
        };
    }
}
