using System.Text.Json.Nodes;

namespace Keyway.Tools;

/// <summary>
/// A streamed OpenAI Responses round (https://platform.openai.com/docs/api-reference/responses-streaming): each
/// <c>response.output_item.added</c> announces an item, whose complete form arrives in
/// <c>response.output_item.done</c>; the round adds up to those items, in <c>output_index</c> order. It shows the
/// client something with its first text (or refusal) delta, or with an item that is neither reasoning nor a
/// <c>tavily_search</c> call nor a message still without text.
/// </summary>
internal sealed class ResponsesRoundReader : WebSearchRoundReader
{
    private readonly SortedDictionary<int, JsonObject> _items = [];

    public override bool Observe(JsonObject data, ReadOnlySpan<byte> eventName)
    {
        switch (StringOf(data["type"]))
        {
            case "response.output_item.added" when data["item"] is JsonObject item:
                _items[IndexOf(data)] = (JsonObject)item.DeepClone();
                return StringOf(item["type"]) is not ("reasoning" or "message") && !ResponsesWebSearchDialect.IsOurs(item);
            case "response.output_item.done" when data["item"] is JsonObject item:
                _items[IndexOf(data)] = (JsonObject)item.DeepClone();
                return false;
            case "response.output_text.delta" or "response.refusal.delta":
                return StringOf(data["delta"]) is { Length: > 0 };
            default:
                return false;
        }
    }

    private int IndexOf(JsonObject data) => data["output_index"] is JsonValue value && value.TryGetValue<int>(out var index) ? index : _items.Count;

    public override JsonObject Answer() => new() { ["output"] = new JsonArray(_items.Values.Select(item => (JsonNode)item.DeepClone()).ToArray()) };

    /// <summary><c>response.completed</c> (and <c>response.incomplete</c>) carry <c>response.usage</c>.</summary>
    public override JsonObject? UsageOf(JsonObject data) => data["response"]?["usage"] as JsonObject;
}
