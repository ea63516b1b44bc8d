using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyway.Tools;

/// <summary>
/// A streamed Anthropic Messages round (https://docs.anthropic.com/en/docs/build-with-claude/streaming): each
/// <c>content_block_start</c> opens a block, its deltas fill it (text, thinking and signature, a tool's
/// <c>partial_json</c>), so the assistant turn can be replayed whole, thinking blocks included as Anthropic requires.
/// </summary>
internal sealed class AnthropicRoundReader : WebSearchRoundReader
{
    private readonly SortedDictionary<int, (JsonObject Block, StringBuilder? Json)> _blocks = [];

    public override bool Observe(JsonObject data, ReadOnlySpan<byte> eventName)
    {
        var index = data["index"] is JsonValue value && value.TryGetValue<int>(out var i) ? i : -1;
        switch (StringOf(data["type"]))
        {
            case "content_block_start" when data["content_block"] is JsonObject block:
                var type = StringOf(block["type"]);
                var copy = (JsonObject)block.DeepClone();
                _blocks[index] = (copy, type == "tool_use" ? new StringBuilder() : null);
                return type switch
                {
                    "tool_use" => StringOf(block["name"]) != WebSearchTool.Name,
                    "text" => StringOf(block["text"]) is { Length: > 0 },
                    "thinking" or "redacted_thinking" => false,
                    _ => true,
                };
            case "content_block_delta" when data["delta"] is JsonObject delta && _blocks.TryGetValue(index, out var open):
                return ApplyDelta(open.Block, open.Json, delta);
            case "content_block_stop" when _blocks.TryGetValue(index, out var done) && done.Json is { } json:
                done.Block["input"] = ParseInput(json.ToString());
                return false;
            default:
                return false;
        }
    }

    private static bool ApplyDelta(JsonObject block, StringBuilder? json, JsonObject delta)
    {
        switch (StringOf(delta["type"]))
        {
            case "text_delta":
                var text = StringOf(delta["text"]) ?? "";
                block["text"] = StringOf(block["text"]) + text;
                return text.Length > 0;
            case "thinking_delta":
                block["thinking"] = StringOf(block["thinking"]) + StringOf(delta["thinking"]);
                return false;
            case "signature_delta":
                block["signature"] = StringOf(block["signature"]) + StringOf(delta["signature"]);
                return false;
            case "input_json_delta":
                json?.Append(StringOf(delta["partial_json"]));
                return false;
            default:
                return false;
        }
    }

    private static JsonNode ParseInput(string json)
    {
        try
        {
            return json.Length == 0 ? new JsonObject() : JsonNode.Parse(json) ?? new JsonObject();
        }
        catch (JsonException)
        {
            return new JsonObject();
        }
    }

    public override JsonObject Answer() =>
        new() { ["content"] = new JsonArray(_blocks.Values.Select(b => (JsonNode)b.Block.DeepClone()).ToArray()) };

    /// <summary><c>message_start</c> carries <c>message.usage</c>, <c>message_delta</c> its own <c>usage</c>.</summary>
    public override JsonObject? UsageOf(JsonObject data) => (data["message"]?["usage"] ?? data["usage"]) as JsonObject;
}
