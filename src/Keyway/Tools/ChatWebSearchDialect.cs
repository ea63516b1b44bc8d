using System.Text.Json.Nodes;
using Keyway.Protocols.Usage;

namespace Keyway.Tools;

/// <summary>
/// Chat Completions: calls are <c>choices[0].message.tool_calls[]</c>; a round appends the assistant message as the
/// upstream sent it (reasoning fields included) and one <c>role: tool</c> message per call.
/// </summary>
internal sealed class ChatWebSearchDialect : WebSearchDialect
{
    public static readonly ChatWebSearchDialect Instance = new();

    public override WebSearchTurn Read(JsonObject answer)
    {
        var ours = new List<WebSearchCall>();
        var others = false;
        foreach (var call in ToolCalls(answer))
        {
            if (StringOf(call["function"]?["name"]) == WebSearchTool.Name)
            {
                ours.Add(CallOf(StringOf(call["id"]), ParseArguments(call["function"]?["arguments"])));
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
        messages.Add(Message(answer)?.DeepClone() ?? new JsonObject { ["role"] = "assistant" });
        foreach (var (call, result) in results)
        {
            messages.Add((JsonNode)new JsonObject { ["role"] = "tool", ["tool_call_id"] = call.Id, ["content"] = result });
        }
    }

    public override void ForbidTools(JsonObject request) => request["tool_choice"] = "none";

    public override void StripOurCalls(JsonObject answer) =>
        RemoveAll(Message(answer)?["tool_calls"], call => StringOf(call["function"]?["name"]) == WebSearchTool.Name);

    public override WebSearchRoundReader NewRound() => new ChatRoundReader();

    public override void AddUsage(JsonObject usage, TokenUsage earlier)
    {
        AddTo(usage, "prompt_tokens", earlier.InputTokens);
        AddTo(usage, "completion_tokens", earlier.OutputTokens);
        AddTo(usage, "total_tokens", (earlier.InputTokens ?? 0) + (earlier.OutputTokens ?? 0));
    }

    private static JsonObject? Message(JsonObject answer) => answer["choices"] is JsonArray { Count: > 0 } choices ? choices[0]?["message"] as JsonObject : null;

    private static IEnumerable<JsonObject> ToolCalls(JsonObject answer) =>
        Message(answer)?["tool_calls"] is JsonArray calls ? calls.OfType<JsonObject>() : [];
}
