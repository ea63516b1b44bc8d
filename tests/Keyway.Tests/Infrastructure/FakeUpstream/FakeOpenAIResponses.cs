using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// OpenAI Responses (https://platform.openai.com/docs/api-reference/responses and …/responses-streaming): a
/// <c>response</c> object, or named events with a running <c>sequence_number</c>: <c>response.created</c>,
/// <c>response.in_progress</c>, <c>response.output_item.added</c>, then for a message <c>content_part.added</c>,
/// <c>output_text.delta</c>…, <c>output_text.done</c>, <c>content_part.done</c> — or for a function call
/// <c>function_call_arguments.delta</c>…, <c>function_call_arguments.done</c> — then the full item in
/// <c>response.output_item.done</c> and the full response in <c>response.completed</c>. No <c>[DONE]</c>.
/// </summary>
internal static class FakeOpenAIResponses
{
    /// <summary>A stream's opening as an upstream sends it (response id <c>resp_held</c>), for streams that fail right after it.</summary>
    public const string Opening =
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_held\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n"
        + "event: response.in_progress\ndata: {\"type\":\"response.in_progress\",\"sequence_number\":1,\"response\":{\"id\":\"resp_held\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n";

    /// <summary>https://platform.openai.com/docs/api-reference/responses-streaming/response/failed, with its error's <paramref name="code"/>.</summary>
    public static string Failed(string code) =>
        "event: response.failed\ndata: {\"type\":\"response.failed\",\"sequence_number\":2,\"response\":{\"id\":\"resp_held\",\"object\":\"response\",\"status\":\"failed\",\"output\":[],"
        + "\"error\":{\"code\":\"" + code + "\",\"message\":\"Insufficient account balance\"}}}\n\n";

    public static async Task RespondAsync(FakeExchange exchange)
    {
        if (FakeReasoningModels.ResponsesRefusal(exchange.Model, exchange.Body) is { } refusal)
        {
            exchange.Context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await exchange.WriteJsonAsync(refusal);
            return;
        }
        var items = new FakeResponsesItems(exchange, Decide(exchange));
        if (!exchange.Stream)
        {
            await exchange.WriteJsonAsync(items.Response(completed: true));
            return;
        }
        var events = new EventWriter(exchange);
        await exchange.StartStreamAsync();
        await events.WriteAsync("response.created", ("response", items.Response(completed: false)));
        await events.WriteAsync("response.in_progress", ("response", items.Response(completed: false)));
        await events.WriteAsync("response.output_item.added", ("output_index", 0), ("item", items.Item(completed: false)));
        await (items.Answer.IsToolCall ? WriteArgumentsAsync(events, items) : WriteTextAsync(events, items));
        await events.WriteAsync("response.output_item.done", ("output_index", 0), ("item", items.Item(completed: true)));
        await events.WriteAsync("response.completed", ("response", items.Response(completed: true)));
    }

    private static async Task WriteTextAsync(EventWriter events, FakeResponsesItems items)
    {
        await events.WriteAsync("response.content_part.added", [.. TextPosition(items), ("part", FakeResponsesItems.TextPart(""))]);
        foreach (var delta in FakeText.Split(items.Answer.Text, FakeText.TextChunks))
        {
            await events.WriteAsync("response.output_text.delta", [.. TextPosition(items), ("delta", delta), ("logprobs", new JsonArray())]);
        }
        await events.WriteAsync("response.output_text.done", [.. TextPosition(items), ("text", items.Answer.Text), ("logprobs", new JsonArray())]);
        await events.WriteAsync("response.content_part.done", [.. TextPosition(items), ("part", FakeResponsesItems.TextPart(items.Answer.Text))]);
    }

    private static async Task WriteArgumentsAsync(EventWriter events, FakeResponsesItems items)
    {
        foreach (var delta in FakeText.Split(items.Answer.ToolArguments, FakeText.ArgumentChunks))
        {
            await events.WriteAsync("response.function_call_arguments.delta", [.. ItemPosition(items), ("delta", delta)]);
        }
        await events.WriteAsync("response.function_call_arguments.done", [.. ItemPosition(items), ("arguments", items.Answer.ToolArguments)]);
    }

    // Fresh nodes per event: a JsonNode can belong to one parent only.
    private static (string, JsonNode?)[] ItemPosition(FakeResponsesItems items) => [("item_id", items.ItemId), ("output_index", 0)];

    private static (string, JsonNode?)[] TextPosition(FakeResponsesItems items) => [.. ItemPosition(items), ("content_index", 0)];

    private static FakeAnswer Decide(FakeExchange exchange)
    {
        var body = exchange.Body;
        var tools = FakeJson.Array(body, "tools")
            .Where(tool => FakeJson.String(tool, "type") == "function")
            .Select(tool => new FakeTool(FakeJson.String(tool, "name") ?? "", FakeJson.Property(tool, "parameters")))
            .ToList();
        var input = FakeJson.Property(body, "input");
        var last = input.ValueKind == JsonValueKind.Array ? input.EnumerateArray().LastOrDefault() : default;
        var lastMessage = input.ValueKind == JsonValueKind.String
            ? new FakeLastMessage(input.GetString() ?? "", IsToolResult: false)
            : FakeJson.String(last, "type") == "function_call_output"
                ? new FakeLastMessage(FakeJson.Text(FakeJson.Property(last, "output")), IsToolResult: true)
                : new FakeLastMessage(FakeJson.Text(FakeJson.Property(last, "content")), IsToolResult: false);
        return FakeConversation.Decide(exchange, tools, lastMessage);
    }

    /// <summary>Writes named events whose payload starts with <c>type</c> and <c>sequence_number</c>.</summary>
    private sealed class EventWriter(FakeExchange exchange)
    {
        private int _sequenceNumber;

        public Task WriteAsync(string type, params (string Name, JsonNode? Value)[] fields)
        {
            var data = new JsonObject { ["type"] = type, ["sequence_number"] = _sequenceNumber++ };
            foreach (var (name, value) in fields)
            {
                data[name] = value;
            }
            return exchange.WriteEventAsync(type, data);
        }
    }
}
