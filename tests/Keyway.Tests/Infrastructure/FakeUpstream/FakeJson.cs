using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>Null-tolerant reads of request JSON and compact writes of reply JSON.</summary>
internal static class FakeJson
{
    // Raw UTF-8 on the wire (no \u escapes), as the real APIs send it, so multi-byte text can split across reads.
    private static readonly JsonSerializerOptions WireOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode node) => node.ToJsonString(WireOptions);

    public static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    public static string? String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static bool IsTrue(JsonElement element, string name) => Property(element, name).ValueKind == JsonValueKind.True;

    public static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>
    /// The text of a content value in any of the protocols' shapes: a string, or an array of parts whose
    /// <c>text</c> (or nested <c>content</c>) is joined.
    /// </summary>
    public static string Text(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(PartText)),
        _ => "",
    };

    private static string PartText(JsonElement part) =>
        String(part, "text") ?? Text(Property(part, "content"));
}
