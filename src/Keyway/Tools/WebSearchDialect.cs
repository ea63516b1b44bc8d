using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Usage;

namespace Keyway.Tools;

/// <summary>One <c>tavily_search</c> call the upstream asked for.</summary>
internal sealed record WebSearchCall(string Id, string Query, int MaxResults);

/// <summary>The tool calls of one upstream answer: the gateway's own, and whether the client's tools were called too.</summary>
internal sealed record WebSearchTurn(IReadOnlyList<WebSearchCall> Ours, bool CallsClientTools);

/// <summary>
/// How the search loop reads an answer and continues the conversation in one upstream protocol (Chat Completions,
/// Anthropic Messages or OpenAI Responses). Works on the parsed request and answer, which the loop owns.
/// </summary>
internal abstract class WebSearchDialect
{
    public static WebSearchDialect For(WireFormat upstream) => upstream switch
    {
        WireFormat.AnthropicMessages => AnthropicWebSearchDialect.Instance,
        WireFormat.OpenAIResponses => ResponsesWebSearchDialect.Instance,
        _ => ChatWebSearchDialect.Instance,
    };

    /// <summary>The calls the answer makes.</summary>
    public abstract WebSearchTurn Read(JsonObject answer);

    /// <summary>Appends the answer's assistant turn and one tool result per call to the request's messages.</summary>
    public abstract void AppendRound(JsonObject request, JsonObject answer, IReadOnlyList<(WebSearchCall Call, string Result)> results);

    /// <summary>Sets <c>tool_choice</c> so the upstream must answer in text.</summary>
    public abstract void ForbidTools(JsonObject request);

    /// <summary>Removes the gateway's own calls from the answer.</summary>
    public abstract void StripOurCalls(JsonObject answer);

    /// <summary>A reader for one streamed round in this protocol.</summary>
    public abstract WebSearchRoundReader NewRound();

    /// <summary>Adds the earlier rounds' tokens to a usage object of this protocol, so the client sees the sum.</summary>
    public abstract void AddUsage(JsonObject usage, TokenUsage earlier);

    /// <summary>Adds <paramref name="amount"/> to a numeric field the usage object already has.</summary>
    protected static void AddTo(JsonObject usage, string field, long? amount)
    {
        if (amount is { } add && usage[field] is JsonValue value && value.TryGetValue<long>(out var count))
        {
            usage[field] = count + add;
        }
    }

    /// <summary>The query and result count of a call's arguments; an unreadable call searches for nothing and gets an error result.</summary>
    protected static WebSearchCall CallOf(string id, JsonNode? arguments)
    {
        var query = arguments is JsonObject obj && obj["query"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";
        var maxResults = arguments is JsonObject args && args["max_results"] is JsonValue count && NumberOf(count) is { } n
            ? (int)Math.Clamp(n, 1, WebSearchTool.MaxMaxResults)
            : WebSearchTool.DefaultMaxResults;
        return new WebSearchCall(id, query, maxResults);
    }

    /// <summary>A number, or a number written as a string (some models quote every argument).</summary>
    private static double? NumberOf(JsonValue value) =>
        value.TryGetValue<double>(out var number) ? number
        : value.TryGetValue<string>(out var text) && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out number) ? number
        : null;

    /// <summary>Chat's <c>function.arguments</c> is JSON inside a string.</summary>
    protected static JsonNode? ParseArguments(JsonNode? arguments)
    {
        if (arguments is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return arguments;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Removes the objects of <paramref name="array"/> (when it is one) that match.</summary>
    protected static void RemoveAll(JsonNode? array, Func<JsonObject, bool> match)
    {
        if (array is JsonArray items)
        {
            foreach (var item in items.OfType<JsonObject>().Where(match).ToList())
            {
                items.Remove(item);
            }
        }
    }

    protected static string StringOf(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";

    protected static JsonArray MessagesOf(JsonObject request)
    {
        if (request["messages"] is JsonArray messages)
        {
            return messages;
        }
        var created = new JsonArray();
        request["messages"] = created;
        return created;
    }
}
