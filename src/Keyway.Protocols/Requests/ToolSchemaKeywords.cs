using System.Text.Json.Nodes;

namespace Keyway.Protocols;

/// <summary>
/// JSON-schema keywords that several OpenAI-compatible upstreams refuse in tool parameters (Gemini's and some
/// open-model servers' schema subsets), removed from every schema object of a tool — never from a
/// <c>properties</c> map, whose keys are the tool's own parameter names.
/// </summary>
public static class ToolSchemaKeywords
{
    public static IReadOnlyList<string> Removable { get; } =
    [
        "$schema", "$id", "$comment", "additionalProperties", "unevaluatedProperties", "patternProperties", "propertyNames",
        "dependentRequired", "dependentSchemas", "if", "then", "else", "examples", "format", "contentEncoding", "contentMediaType",
    ];

    private static readonly string[] SchemaMaps = ["properties", "$defs", "definitions"];
    private static readonly string[] SchemaValues = ["items", "not", "contains", "additionalItems"];
    private static readonly string[] SchemaLists = ["anyOf", "oneOf", "allOf", "prefixItems"];

    /// <summary>Removes the keywords from <paramref name="schema"/> and its subschemas, adding each one removed to <paramref name="removed"/>.</summary>
    public static void Strip(JsonNode? schema, ISet<string> removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        if (schema is JsonArray list)
        {
            foreach (var item in list)
            {
                Strip(item, removed);
            }
            return;
        }
        if (schema is not JsonObject obj)
        {
            return;
        }
        foreach (var keyword in Removable)
        {
            if (obj.Remove(keyword))
            {
                removed.Add(keyword);
            }
        }
        foreach (var name in SchemaMaps)
        {
            if (obj[name] is JsonObject map)
            {
                foreach (var (_, subschema) in map)
                {
                    Strip(subschema, removed);
                }
            }
        }
        foreach (var name in SchemaValues.Concat(SchemaLists))
        {
            Strip(obj[name], removed);
        }
    }
}
