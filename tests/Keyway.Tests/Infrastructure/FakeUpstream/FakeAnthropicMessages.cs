using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// Anthropic Messages (https://docs.anthropic.com/en/api/messages and …/messages-streaming): a <c>message</c>
/// object, or the named events <c>message_start</c> (input and cache usage, output_tokens 1), <c>ping</c>,
/// <c>content_block_start</c> / <c>content_block_delta</c> (text_delta or input_json_delta) / <c>content_block_stop</c>,
/// <c>message_delta</c> (stop_reason, final output_tokens) and <c>message_stop</c>. With thinking on, the answer opens
/// with <see cref="FakeAnthropicThinking"/>'s blocks (thinking_delta and signature_delta streamed, redacted_thinking whole
/// in its start event), and a request breaking its rules or <see cref="FakeAnthropicRequestRules"/> gets Anthropic's 400.
/// </summary>
internal static class FakeAnthropicMessages
{
    /// <summary>The stream's events before its first delta (message_start, ping, content_block_start), which the gateway holds back.</summary>
    public const int OpeningEvents = 3;

    /// <summary>
    /// Those opening events as an upstream sends them (message id <c>msg_held</c>), for streams that fail right after them:
    /// Claude's <c>overloaded_error</c> usually comes there (https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events).
    /// </summary>
    public const string Opening =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_held\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude\",\"stop_reason\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: ping\ndata: {\"type\":\"ping\"}\n\n";

    public static async Task RespondAsync(FakeExchange exchange)
    {
        if ((FakeAnthropicThinking.Refusal(exchange.Body) ?? FakeAnthropicRequestRules.Refusal(exchange.Model, exchange.Body)) is { } refusal)
        {
            exchange.Context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await exchange.WriteJsonAsync(refusal);
            return;
        }
        var answer = Decide(exchange);
        if (!exchange.Stream)
        {
            await exchange.WriteJsonAsync(Message(exchange, answer));
            return;
        }
        await exchange.StartStreamAsync();
        await WriteEventAsync(exchange, "message_start", new JsonObject { ["message"] = Message(exchange, answer: null) });
        await WriteEventAsync(exchange, "ping", []);
        var index = FakeAnthropicThinking.IsOn(exchange.Body) ? await WriteThinkingAsync(exchange) : 0;
        await WriteEventAsync(exchange, "content_block_start", new JsonObject { ["index"] = index, ["content_block"] = EmptyBlock(exchange, answer) });
        var deltas = answer.IsToolCall
            ? FakeText.Split(answer.ToolArguments, FakeText.ArgumentChunks).Select(json => new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = json })
            : FakeText.Split(answer.Text, FakeText.TextChunks).Select(text => new JsonObject { ["type"] = "text_delta", ["text"] = text });
        foreach (var delta in deltas)
        {
            await WriteEventAsync(exchange, "content_block_delta", new JsonObject { ["index"] = index, ["delta"] = delta });
        }
        await WriteEventAsync(exchange, "content_block_stop", new JsonObject { ["index"] = index });
        var messageDelta = new JsonObject { ["delta"] = new JsonObject { ["stop_reason"] = StopReason(answer), ["stop_sequence"] = null } };
        if (!exchange.OmitUsage)
        {
            messageDelta["usage"] = new JsonObject { ["output_tokens"] = FakeUpstream.CompletionTokens };
        }
        await WriteEventAsync(exchange, "message_delta", messageDelta);
        await WriteEventAsync(exchange, "message_stop", []);
    }

    /// <summary>The thinking blocks as Anthropic streams them; returns the index of the next block.</summary>
    private static async Task<int> WriteThinkingAsync(FakeExchange exchange)
    {
        var (thinking, redacted) = (FakeAnthropicThinking.Blocks()[0], FakeAnthropicThinking.Blocks()[1]);
        await WriteEventAsync(exchange, "content_block_start", new JsonObject { ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" } });
        foreach (var text in FakeText.Split(FakeAnthropicThinking.Text, FakeText.TextChunks))
        {
            await WriteEventAsync(exchange, "content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "thinking_delta", ["thinking"] = text } });
        }
        await WriteEventAsync(exchange, "content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "signature_delta", ["signature"] = thinking["signature"]!.DeepClone() } });
        await WriteEventAsync(exchange, "content_block_stop", new JsonObject { ["index"] = 0 });
        await WriteEventAsync(exchange, "content_block_start", new JsonObject { ["index"] = 1, ["content_block"] = redacted });
        await WriteEventAsync(exchange, "content_block_stop", new JsonObject { ["index"] = 1 });
        return 2;
    }

    /// <summary>A deterministic estimate the tests can recompute: the request body's UTF-8 length / 4.</summary>
    public static Task CountTokensAsync(FakeExchange exchange) =>
        exchange.WriteJsonAsync(new JsonObject { ["input_tokens"] = Encoding.UTF8.GetByteCount(exchange.Request.Body) / 4 });

    private static Task WriteEventAsync(FakeExchange exchange, string type, JsonObject data)
    {
        var typed = new JsonObject { ["type"] = type };
        foreach (var (name, value) in data)
        {
            typed[name] = value?.DeepClone();
        }
        return exchange.WriteEventAsync(type, typed);
    }

    private static FakeAnswer Decide(FakeExchange exchange)
    {
        var body = exchange.Body;
        var tools = FakeJson.Array(body, "tools")
            .Where(tool => FakeJson.Property(tool, "input_schema").ValueKind == JsonValueKind.Object)
            .Select(tool => new FakeTool(FakeJson.String(tool, "name") ?? "", FakeJson.Property(tool, "input_schema")))
            .ToList();
        var content = FakeJson.Property(FakeJson.Array(body, "messages").LastOrDefault(message => FakeJson.String(message, "role") != "system"), "content");
        var toolResult = content.ValueKind == JsonValueKind.Array
            ? content.EnumerateArray().LastOrDefault(block => FakeJson.String(block, "type") == "tool_result")
            : default;
        var last = toolResult.ValueKind == JsonValueKind.Object
            ? new FakeLastMessage(FakeJson.Text(FakeJson.Property(toolResult, "content")), IsToolResult: true, FakeJson.Text(content))
            : new FakeLastMessage(FakeJson.Text(content), IsToolResult: false);
        return FakeConversation.Decide(exchange, tools, last);
    }

    /// <summary>The whole message, or (answer null) the empty shell <c>message_start</c> carries.</summary>
    private static JsonObject Message(FakeExchange exchange, FakeAnswer? answer)
    {
        var message = new JsonObject
        {
            ["id"] = exchange.Id("msg_fake"),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = exchange.Model,
            ["content"] = answer is null ? new JsonArray() : new JsonArray(
                [.. FakeAnthropicThinking.IsOn(exchange.Body) ? FakeAnthropicThinking.Blocks() : [], FullBlock(exchange, answer)]),
            ["stop_reason"] = answer is null ? null : StopReason(answer),
            ["stop_sequence"] = null,
        };
        if (!exchange.OmitUsage)
        {
            message["usage"] = Usage(exchange, answer is null ? FakeUpstream.StartOutputTokens : FakeUpstream.CompletionTokens);
        }
        return message;
    }

    private static JsonObject FullBlock(FakeExchange exchange, FakeAnswer answer) => answer.IsToolCall
        ? ToolUseBlock(exchange, answer, JsonNode.Parse(answer.ToolArguments))
        : new JsonObject { ["type"] = "text", ["text"] = answer.Text };

    private static JsonObject EmptyBlock(FakeExchange exchange, FakeAnswer answer) => answer.IsToolCall
        ? ToolUseBlock(exchange, answer, new JsonObject())
        : new JsonObject { ["type"] = "text", ["text"] = "" };

    private static JsonObject ToolUseBlock(FakeExchange exchange, FakeAnswer answer, JsonNode? input) => new()
    {
        ["type"] = "tool_use",
        ["id"] = exchange.Id("toolu_fake"),
        ["name"] = answer.ToolName,
        ["input"] = input,
        ["caller"] = new JsonObject { ["type"] = "direct" },
    };

    private static string StopReason(FakeAnswer answer) => answer.IsToolCall ? "tool_use" : "end_turn";

    private static JsonObject Usage(FakeExchange exchange, int outputTokens) => new()
    {
        ["input_tokens"] = exchange.PromptTokens,
        ["cache_creation_input_tokens"] = FakeUpstream.CacheCreationTokens,
        ["cache_read_input_tokens"] = FakeUpstream.CachedTokens,
        ["cache_creation"] = new JsonObject
        {
            ["ephemeral_5m_input_tokens"] = FakeUpstream.CacheCreationTokens,
            ["ephemeral_1h_input_tokens"] = 0,
        },
        ["output_tokens"] = outputTokens,
        ["service_tier"] = "standard",
    };
}
