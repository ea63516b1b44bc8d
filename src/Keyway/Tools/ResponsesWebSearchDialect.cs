using System.Text.Json.Nodes;
using Keyway.Protocols.Usage;

namespace Keyway.Tools;

/// <summary>
/// OpenAI Responses (https://platform.openai.com/docs/api-reference/responses): calls are <c>function_call</c> items
/// of <c>output</c>; a round appends every output item of the answer (reasoning included, as the model needs it) to
/// <c>input</c>, a string input first becoming a user message item, then one <c>function_call_output</c> per call.
/// <c>previous_response_id</c> and <c>store</c> are kept: each round sends the whole conversation so far in
/// <c>input</c> on top of the client's <c>previous_response_id</c>, which works whether or not the upstream stores
/// responses. With <c>store: false</c> the replayed items lose their <c>id</c>, since unstored items cannot be
/// referred to by id.
/// </summary>
internal sealed class ResponsesWebSearchDialect : WebSearchDialect
{
    public static readonly ResponsesWebSearchDialect Instance = new();

    /// <summary>Output items the client must execute itself; hosted tools' items (<c>web_search_call</c>…) are not.</summary>
    private static readonly HashSet<string> ClientCallTypes =
        ["function_call", "custom_tool_call", "local_shell_call", "shell_call", "apply_patch_call", "computer_call", "mcp_approval_request"];

    public override WebSearchTurn Read(JsonObject answer)
    {
        var ours = new List<WebSearchCall>();
        var others = false;
        foreach (var item in OutputItems(answer).Where(item => ClientCallTypes.Contains(StringOf(item["type"]))))
        {
            if (IsOurs(item))
            {
                ours.Add(CallOf(StringOf(item["call_id"]), ParseArguments(item["arguments"])));
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
        var input = InputOf(request);
        var unstored = request["store"] is JsonValue store && store.TryGetValue<bool>(out var stored) && !stored;
        foreach (var item in OutputItems(answer))
        {
            var copy = (JsonObject)item.DeepClone();
            if (unstored)
            {
                copy.Remove("id");
            }
            input.Add((JsonNode)copy);
        }
        foreach (var (call, result) in results)
        {
            input.Add((JsonNode)new JsonObject { ["type"] = "function_call_output", ["call_id"] = call.Id, ["output"] = result });
        }
    }

    public override void ForbidTools(JsonObject request) => request["tool_choice"] = "none";

    public override void StripOurCalls(JsonObject answer) => RemoveAll(answer["output"], IsOurs);

    public override WebSearchRoundReader NewRound() => new ResponsesRoundReader();

    public override void AddUsage(JsonObject usage, TokenUsage earlier)
    {
        AddTo(usage, "input_tokens", earlier.InputTokens);
        AddTo(usage, "output_tokens", earlier.OutputTokens);
        AddTo(usage, "total_tokens", (earlier.InputTokens ?? 0) + (earlier.OutputTokens ?? 0));
        if (usage["input_tokens_details"] is JsonObject input)
        {
            AddTo(input, "cached_tokens", earlier.CacheReadTokens);
        }
        if (usage["output_tokens_details"] is JsonObject output)
        {
            AddTo(output, "reasoning_tokens", earlier.ReasoningTokens);
        }
    }

    /// <summary>A <c>function_call</c> item of the gateway's tool.</summary>
    public static bool IsOurs(JsonObject item) => StringOf(item["type"]) == "function_call" && StringOf(item["name"]) == WebSearchTool.Name;

    private static IEnumerable<JsonObject> OutputItems(JsonObject answer) => answer["output"] is JsonArray output ? output.OfType<JsonObject>() : [];

    /// <summary>The request's <c>input</c> as an item list: a string input becomes one user message.</summary>
    private static JsonArray InputOf(JsonObject request)
    {
        if (request["input"] is JsonArray input)
        {
            return input;
        }
        var created = new JsonArray();
        if (request["input"] is JsonValue value && value.TryGetValue<string>(out var text))
        {
            created.Add((JsonNode)new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = text });
        }
        request["input"] = created;
        return created;
    }
}
