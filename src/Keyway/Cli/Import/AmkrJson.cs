using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Cli.Import;

/// <summary>Reading AMKR's loosely typed JSON the way its config.py does, and naming what is found in errors.</summary>
internal static class AmkrJson
{
    public const string ModelShape = "{\"id\": …, \"keys\": [{\"api_key\": …}]}";

    public static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>A boolean field; absent, null or not a boolean means <paramref name="absent"/>.</summary>
    public static bool Flag(JsonNode? node, bool absent) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : absent;

    /// <summary>
    /// A list of names. One string is one name: config.py iterates a string's characters, which no one means, and a
    /// migrating user who wrote "aliases": "fast" expects the alias fast.
    /// </summary>
    public static IEnumerable<string> Names(JsonNode? node) => node switch
    {
        JsonArray list => list.Select(name => name?.ToString()).OfType<string>().Where(name => name.Length > 0),
        JsonValue value when value.TryGetValue<string>(out var name) && name.Length > 0 => [name],
        _ => [],
    };
}
