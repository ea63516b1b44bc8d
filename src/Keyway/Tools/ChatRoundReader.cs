using System.Text;
using System.Text.Json.Nodes;

namespace Keyway.Tools;

/// <summary>
/// A streamed Chat Completions round (https://platform.openai.com/docs/api-reference/chat-streaming): the deltas of
/// <c>choices[0]</c> — content, reasoning (<c>reasoning_content</c>, as DeepSeek needs it echoed; the texts of MiniMax's
/// <c>reasoning_details</c>, echoed as one <c>reasoning.text</c> detail, as MiniMax asks: see
/// <c>Keyway.Protocols.Translation.AnthropicChat.ReasoningDetails</c>) and tool calls joined by <c>index</c>. Other
/// choices (n &gt; 1) are not read.
/// </summary>
internal sealed class ChatRoundReader : WebSearchRoundReader
{
    private static readonly string[] ReasoningFields = ["reasoning_content", "reasoning"];

    private readonly StringBuilder _content = new();
    private readonly Dictionary<string, StringBuilder> _reasoning = [];
    private readonly StringBuilder _reasoningDetails = new();
    private readonly SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)> _calls = [];

    public override bool Observe(JsonObject data, ReadOnlySpan<byte> eventName)
    {
        if (data["choices"] is not JsonArray { Count: > 0 } choices || choices[0]?["delta"] is not JsonObject delta)
        {
            return false;
        }
        var shows = false;
        if (StringOf(delta["content"]) is { Length: > 0 } content)
        {
            _content.Append(content);
            shows = true;
        }
        foreach (var field in ReasoningFields)
        {
            if (StringOf(delta[field]) is { Length: > 0 } reasoning)
            {
                (_reasoning.TryGetValue(field, out var text) ? text : _reasoning[field] = new StringBuilder()).Append(reasoning);
            }
        }
        foreach (var detail in (delta["reasoning_details"] as JsonArray ?? []).OfType<JsonObject>())
        {
            _reasoningDetails.Append(StringOf(detail["text"]));
        }
        foreach (var call in (delta["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
        {
            shows |= ObserveCall(call);
        }
        return shows;
    }

    /// <returns>True when the call is one of the client's tools.</returns>
    private bool ObserveCall(JsonObject call)
    {
        var index = call["index"] is JsonValue value && value.TryGetValue<int>(out var i) ? i : _calls.Count;
        var (id, name, arguments) = _calls.TryGetValue(index, out var known) ? known : (null, null, new StringBuilder());
        id ??= StringOf(call["id"]);
        var newName = StringOf(call["function"]?["name"]);
        name ??= newName;
        arguments.Append(StringOf(call["function"]?["arguments"]));
        _calls[index] = (id, name, arguments);
        return newName is { Length: > 0 } && newName != WebSearchTool.Name;
    }

    public override JsonObject Answer()
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = _content.Length > 0 ? _content.ToString() : null };
        foreach (var (field, text) in _reasoning)
        {
            message[field] = text.ToString();
        }
        if (_reasoningDetails.Length > 0)
        {
            message["reasoning_details"] = new JsonArray(new JsonObject { ["type"] = "reasoning.text", ["text"] = _reasoningDetails.ToString() });
        }
        if (_calls.Count > 0)
        {
            message["tool_calls"] = new JsonArray(_calls.Values.Select(call => (JsonNode)new JsonObject
            {
                ["id"] = call.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments.ToString() },
            }).ToArray());
        }
        return new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message }) };
    }

    public override JsonObject? UsageOf(JsonObject data) => data["usage"] as JsonObject;
}
