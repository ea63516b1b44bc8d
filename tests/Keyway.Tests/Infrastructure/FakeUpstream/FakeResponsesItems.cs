using System.Text.Json.Nodes;

namespace Keyway.Tests.Infrastructure;

/// <summary>The Responses objects of one answer: the response envelope, its one output item and usage.</summary>
internal sealed class FakeResponsesItems(FakeExchange exchange, FakeAnswer answer)
{
    public FakeAnswer Answer => answer;

    public string ItemId => exchange.Id(answer.IsToolCall ? "fc_fake" : "msg_fake");

    public static JsonObject TextPart(string text) => new()
    {
        ["type"] = "output_text",
        ["text"] = text,
        ["annotations"] = new JsonArray(),
        ["logprobs"] = new JsonArray(),
    };

    /// <summary>The output item: in progress (empty) as announced, or completed as <c>output_item.done</c> carries it.</summary>
    public JsonObject Item(bool completed) => answer.IsToolCall
        ? new JsonObject
        {
            ["type"] = "function_call",
            ["id"] = ItemId,
            ["call_id"] = exchange.Id("call_fake"),
            ["name"] = answer.ToolName,
            ["arguments"] = completed ? answer.ToolArguments : "",
            ["status"] = Status(completed),
        }
        : new JsonObject
        {
            ["type"] = "message",
            ["id"] = ItemId,
            ["status"] = Status(completed),
            ["role"] = "assistant",
            ["content"] = completed ? new JsonArray(TextPart(answer.Text)) : new JsonArray(),
        };

    public JsonObject Response(bool completed) => new()
    {
        ["id"] = exchange.Id("resp_fake"),
        ["object"] = "response",
        ["created_at"] = FakeExchange.CreatedUnixSeconds,
        ["status"] = Status(completed),
        ["error"] = null,
        ["incomplete_details"] = null,
        ["instructions"] = null,
        ["max_output_tokens"] = null,
        ["model"] = exchange.Model,
        ["output"] = completed ? new JsonArray(Item(completed: true)) : new JsonArray(),
        ["parallel_tool_calls"] = true,
        ["previous_response_id"] = null,
        ["reasoning"] = new JsonObject { ["effort"] = null, ["summary"] = null },
        ["store"] = false,
        ["temperature"] = 1.0,
        ["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "text" } },
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["top_p"] = 1.0,
        ["truncation"] = "disabled",
        ["usage"] = completed && !exchange.OmitUsage ? Usage() : null,
        ["user"] = null,
        ["metadata"] = new JsonObject(),
    };

    private static string Status(bool completed) => completed ? "completed" : "in_progress";

    private JsonObject Usage() => new()
    {
        ["input_tokens"] = exchange.PromptTokens,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = FakeUpstream.CachedTokens },
        ["output_tokens"] = FakeUpstream.CompletionTokens,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = FakeUpstream.ReasoningTokens },
        ["total_tokens"] = exchange.PromptTokens + FakeUpstream.CompletionTokens,
    };
}
