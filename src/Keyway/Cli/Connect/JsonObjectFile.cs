using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Cli.Connect;

/// <summary>
/// A client's JSON settings file read for a merge: an object, or nothing yet. A file that is not valid JSON, or whose
/// top level (or a member connect merges into) is not an object, is refused before any file is written, as replacing it
/// would throw away what the user keeps there.
/// </summary>
public static class JsonObjectFile
{
    /// <param name="displayName">How the file is named in an error.</param>
    public static JsonObject Parse(string? text, string displayName)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new CliException($"{displayName} is not a JSON object; fix or remove it first");
        }
        catch (JsonException e)
        {
            throw new CliException($"{displayName} is not valid JSON ({e.Message}); fix or remove it first");
        }
    }

    /// <summary>The object member <paramref name="name"/>, added when missing.</summary>
    public static JsonObject Member(JsonObject parent, string name, string displayName) => parent[name] switch
    {
        null => (JsonObject)(parent[name] = new JsonObject()),
        JsonObject member => member,
        _ => throw new CliException($"{displayName}: \"{name}\" is not a JSON object; fix or remove it first"),
    };
}
