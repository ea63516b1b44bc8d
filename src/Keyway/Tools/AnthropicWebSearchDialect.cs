using System.Text.Json.Nodes;
using Keyway.Protocols.Usage;

namespace Keyway.Tools;

/// <summary>
/// Anthropic Messages: calls are <c>tool_use</c> blocks of <c>content</c>; a round appends the assistant turn with the
/// whole content (thinking blocks included, as Anthropic requires) and one user turn of <c>tool_result</c> blocks.
/// </summary>
internal sealed class AnthropicWebSearchDialect : WebSearchDialect
{
    public static readonly AnthropicWebSearchDialect Instance = new();

    public override WebSearchTurn Read(JsonObject answer)
    {
        var ours = new List<WebSearchCall>();
        var others = false;
        foreach (var block in ToolUses(answer))
        {
            if (StringOf(block["name"]) == WebSearchTool.Name)
            {
                ours.Add(CallOf(StringOf(block["id"]), block["input"]));
            }
            else
            {
                others = true;
            }
        }
        return new WebSearchTurn(ours, others);
    }

    public override void AppendRound(JsonObject request, JsonObject answer, IReadOnlyList<(WebSearchCall Call, string Result)> results)
    {
        var messages = MessagesOf(request);
        messages.Add((JsonNode)new JsonObject { ["role"] = "assistant", ["content"] = answer["content"]?.DeepClone() ?? new JsonArray() });
        var toolResults = new JsonArray();
        foreach (var (call, result) in results)
        {
            toolResults.Add((JsonNode)new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = call.Id, ["content"] = result });
        }
        messages.Add((JsonNode)new JsonObject { ["role"] = "user", ["content"] = toolResults });
    }

    public override void ForbidTools(JsonObject request) => request["tool_choice"] = new JsonObject { ["type"] = "none" };

    public override void StripOurCalls(JsonObject answer) =>
        RemoveAll(answer["content"], block => StringOf(block["type"]) == "tool_use" && StringOf(block["name"]) == WebSearchTool.Name);

    public override WebSearchRoundReader NewRound() => new AnthropicRoundReader();

    public override void AddUsage(JsonObject usage, TokenUsage earlier)
    {
        AddTo(usage, "input_tokens", earlier.InputTokens);
        AddTo(usage, "output_tokens", earlier.OutputTokens);
        AddTo(usage, "cache_read_input_tokens", earlier.CacheReadTokens);
        AddTo(usage, "cache_creation_input_tokens", earlier.CacheWriteTokens);
    }

    private static IEnumerable<JsonObject> ToolUses(JsonObject answer) =>
        answer["content"] is JsonArray content ? content.OfType<JsonObject>().Where(b => StringOf(b["type"]) == "tool_use") : [];
}
