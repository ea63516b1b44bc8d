using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Keyway.Tests.Hardening.Fuzz;

/// <summary>FsCheck generators of JSON values: plausible ones for a field, and anything at all in its place (wrong types).</summary>
internal static class FuzzJson
{
    private static readonly string[] Texts =
    [
        "", " ", "hi", "Zürich ☁️ 💡", "\"quoted\" \\ back", "line\nbreak\ttab", "\u0000nul", "\uD800 lone surrogate",
        "<script>alert(1)</script>", "{\"json\":\"in a string\"}", "🧨" + new string('x', 300), "null",
    ];

    /// <summary>A short string from a set that stresses escaping, UTF-8 and emptiness, sometimes a very long one.</summary>
    public static Gen<string> Text { get; } = Gen.Frequency(
        (40, Gen.Elements(Texts)),
        (1, Gen.Choose(1, 50_000).Select(length => new string('a', length))));

    public static Gen<JsonNode?> TextNode { get; } = Text.Select(text => (JsonNode?)text);

    public static Gen<JsonNode?> AsNode(this Gen<JsonObject> objects) => objects.Select(o => (JsonNode?)o);

    public static Gen<JsonNode?> Number { get; } = Gen.Elements<JsonNode?>(
        0, 1, -1, 7, 4096, int.MaxValue, int.MinValue, long.MaxValue, -0.5, 1e308, 3.14159, 0.000001, 1024, 100_000_000);

    /// <summary>Any JSON value, nested at most <paramref name="depth"/> deep.</summary>
    public static Gen<JsonNode?> Any(int depth)
    {
        var leaf = Gen.OneOf(
            Gen.Constant<JsonNode?>(null),
            Gen.Elements<JsonNode?>(true, false),
            Number,
            TextNode);
        if (depth <= 0)
        {
            return leaf;
        }
        var inner = Any(depth - 1);
        return Gen.Frequency(
            (6, leaf),
            (1, ArrayOf(inner, 4)),
            (1, Gen.Choose(0, 4).SelectMany(count => Gen.Zip(Gen.Elements("type", "text", "role", "content", "x", ""), inner).ListOf(count)).Select(members => (JsonNode?)ObjectOf(members))));
    }

    /// <summary>Usually <paramref name="valid"/>, sometimes any value at all (a wrong type).</summary>
    public static Gen<JsonNode?> Mostly(Gen<JsonNode?> valid) => Gen.Frequency((8, valid), (1, Any(2)));

    /// <summary>An object of the fields drawn: each present with a probability, valid or wrong-typed.</summary>
    public static Gen<JsonObject> Fields(params (string Name, Gen<JsonNode?> Value)[] fields) =>
        Gen.CollectToList(fields.Select(field => Gen.Frequency(
                (3, Mostly(field.Value).Select(value => (Present: true, field.Name, Value: value))),
                (1, Gen.Constant((Present: false, field.Name, Value: (JsonNode?)null))))))
            .Select(drawn => ObjectOf(drawn.Where(field => field.Present).Select(field => (field.Name, field.Value))));

    public static Gen<JsonNode?> ArrayOf(Gen<JsonNode?> item, int max) =>
        Gen.Choose(0, max).SelectMany(count => item.ListOf(count)).Select(items => (JsonNode?)new JsonArray([.. items.Select(Clone)]));

    public static Gen<JsonNode?> Str(params string[] values) => Gen.Elements(values).Select(value => (JsonNode?)value);

    private static JsonObject ObjectOf(IEnumerable<(string Name, JsonNode? Value)> members)
    {
        var result = new JsonObject();
        foreach (var (name, value) in members)
        {
            result[name] = Clone(value);
        }
        return result;
    }

    // A node has one parent: generated nodes are shared between samples, so every use gets its own copy.
    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();
}
