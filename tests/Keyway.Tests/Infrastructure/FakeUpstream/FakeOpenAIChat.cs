using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// OpenAI Chat Completions (https://platform.openai.com/docs/api-reference/chat/object and
/// …/chat-streaming/streaming): a <c>chat.completion</c> object, or <c>chat.completion.chunk</c> events — a role
/// chunk, content (or tool-argument) chunks, a chunk with <c>finish_reason</c>, a usage-only chunk with
/// <c>choices: []</c> only when <c>stream_options.include_usage</c> is true — then <c>data: [DONE]</c>.
/// An empty <c>tools</c> array gets OpenAI's 400 (<c>empty_array</c>), as OpenAI and DeepSeek answer it; a parameter
/// OpenAI's reasoning models refuse gets their 400 (<see cref="FakeReasoningModels"/>), and so does what a strict Chat server
/// refuses (<see cref="FakeStrictChat"/>); a message carrying Keyway's <c>thinking_blocks</c> gets OpenAI's 400 for an
/// unknown field. Text carries <c>logprobs</c> when they are asked for (<see cref="FakeLogprobs"/>).
/// </summary>
internal static class FakeOpenAIChat
{
    /// <summary>The chunks of the fake's own text stream before its first content (the role chunk), which the gateway holds back.</summary>
    public const int OpeningChunks = 1;

    /// <summary>
    /// A stream's first chunks before any content, for streams that fail right after them: Azure OpenAI's chunk with
    /// <c>prompt_filter_results</c> and empty <c>choices</c>, and the role chunk (id <c>chatcmpl-held</c>) as OpenAI sends it.
    /// </summary>
    public const string Opening =
        "data: {\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\",\"choices\":[],\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{}}]}\n\n"
        + "data: {\"id\":\"chatcmpl-held\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n";

    public static async Task RespondAsync(FakeExchange exchange)
    {
        if (FakeJson.Property(exchange.Body, "tools") is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() == 0)
        {
            // OpenAI's (and DeepSeek's) 400 for "tools": [], which they do not read as "no tools".
            exchange.Context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await exchange.WriteJsonAsync(EmptyToolsError());
            return;
        }
        if ((UnknownMessageField(exchange.Body) ?? FakeReasoningModels.Refusal(exchange.Model, exchange.Body) ?? FakeStrictChat.Refusal(exchange.Model, exchange.Body)) is { } refusal)
        {
            exchange.Context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await exchange.WriteJsonAsync(refusal);
            return;
        }
        var answer = Decide(exchange);
        if (!exchange.Stream)
        {
            await exchange.WriteJsonAsync(Completion(exchange, answer));
            return;
        }
        var includeUsage = FakeJson.IsTrue(FakeJson.Property(exchange.Body, "stream_options"), "include_usage") && !exchange.OmitUsage;
        var chunk = new ChunkFactory(exchange, includeUsage);
        await exchange.StartStreamAsync();
        await exchange.WriteEventAsync(null, chunk.Delta(FirstDelta(exchange, answer), null));
        var fragments = answer.IsToolCall
            ? FakeText.Split(answer.ToolArguments, FakeText.ArgumentChunks).Select(ArgumentsDelta)
            : FakeText.Split(answer.Text, FakeText.TextChunks).Select(text => new JsonObject { ["content"] = text });
        foreach (var delta in fragments)
        {
            var logprobs = delta["content"] is { } text ? FakeLogprobs.For(exchange.Body, [text.GetValue<string>()]) : null;
            await exchange.WriteEventAsync(null, chunk.Delta(delta, null, logprobs));
        }
        await exchange.WriteEventAsync(null, chunk.Delta(new JsonObject(), FinishReason(answer)));
        if (includeUsage)
        {
            await exchange.WriteEventAsync(null, chunk.UsageOnly());
        }
        await exchange.WriteDoneAsync();
    }

    /// <summary>OpenAI's 400 for a message field it does not know; the fake knows one, the <c>thinking_blocks</c> Keyway answers Chat clients with.</summary>
    private static JsonObject? UnknownMessageField(JsonElement body)
    {
        var messages = FakeJson.Array(body, "messages").ToList();
        var index = messages.FindIndex(message => FakeJson.Property(message, "thinking_blocks").ValueKind != JsonValueKind.Undefined);
        return index < 0 ? null : new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = $"Additional properties are not allowed ('thinking_blocks' was unexpected) - 'messages.{index}'",
                ["type"] = "invalid_request_error",
                ["param"] = null,
                ["code"] = null,
            },
        };
    }

    private static JsonObject EmptyToolsError() => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            ["type"] = "invalid_request_error",
            ["param"] = "tools",
            ["code"] = "empty_array",
        },
    };

    private static FakeAnswer Decide(FakeExchange exchange)
    {
        var body = exchange.Body;
        var tools = FakeJson.Array(body, "tools")
            .Select(tool => FakeJson.Property(tool, "function"))
            .Select(function => new FakeTool(FakeJson.String(function, "name") ?? "", FakeJson.Property(function, "parameters")))
            .ToList();
        // The caller's turn: every message after the model's last one. A tool result followed by user messages (an
        // Anthropic turn holding a tool result and text, translated) is still answered as the tool result while tools are
        // offered: the model is in its tool loop. Without tools the last message is the prompt (e.g. a summary request).
        var messages = FakeJson.Array(body, "messages").ToList();
        var turn = messages[(messages.FindLastIndex(message => FakeJson.String(message, "role") == "assistant") + 1)..];
        var toolResult = turn.LastOrDefault(message => FakeJson.String(message, "role") == "tool");
        var lastMessage = messages.LastOrDefault();
        var answersToolResult = toolResult.ValueKind == JsonValueKind.Object
            && (tools.Count > 0 || FakeJson.String(lastMessage, "role") == "tool");
        var turnText = string.Concat(turn
            .Where(message => FakeJson.String(message, "role") is "user" or "tool")
            .Select(message => FakeJson.Text(FakeJson.Property(message, "content"))));
        var last = answersToolResult
            ? new FakeLastMessage(FakeJson.Text(FakeJson.Property(toolResult, "content")), IsToolResult: true, turnText)
            : new FakeLastMessage(FakeJson.Text(FakeJson.Property(lastMessage, "content")), IsToolResult: false, turnText);
        return FakeConversation.Decide(exchange, tools, last);
    }

    private static JsonObject Completion(FakeExchange exchange, FakeAnswer answer)
    {
        var message = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = answer.IsToolCall ? null : answer.Text,
            ["refusal"] = null,
            ["annotations"] = new JsonArray(),
        };
        if (answer.IsToolCall)
        {
            message["tool_calls"] = new JsonArray(ToolCall(exchange, answer, answer.ToolArguments));
        }
        var logprobs = answer.IsToolCall ? null : FakeLogprobs.For(exchange.Body, FakeText.Split(answer.Text, FakeText.TextChunks));
        var choice = new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = logprobs, ["finish_reason"] = FinishReason(answer) };
        var completion = Envelope(exchange, "chat.completion", new JsonArray(choice));
        if (!exchange.OmitUsage)
        {
            completion["usage"] = Usage(exchange);
        }
        return completion;
    }

    private static JsonObject FirstDelta(FakeExchange exchange, FakeAnswer answer)
    {
        if (!answer.IsToolCall)
        {
            return new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null };
        }
        var call = ToolCall(exchange, answer, "");
        call["index"] = 0;
        return new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call) };
    }

    private static JsonObject ArgumentsDelta(string fragment) => new()
    {
        ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = fragment } }),
    };

    private static JsonObject ToolCall(FakeExchange exchange, FakeAnswer answer, string arguments) => new()
    {
        ["id"] = exchange.Id("call_fake"),
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = answer.ToolName, ["arguments"] = arguments },
    };

    private static string FinishReason(FakeAnswer answer) => answer.IsToolCall ? "tool_calls" : "stop";

    private static JsonObject Envelope(FakeExchange exchange, string objectType, JsonArray choices) => new()
    {
        ["id"] = exchange.Id("chatcmpl-fake"),
        ["object"] = objectType,
        ["created"] = FakeExchange.CreatedUnixSeconds,
        ["model"] = exchange.Model,
        ["choices"] = choices,
        ["service_tier"] = "default",
        ["system_fingerprint"] = "fp_fake",
    };

    private static JsonObject Usage(FakeExchange exchange) => new()
    {
        ["prompt_tokens"] = exchange.PromptTokens,
        ["completion_tokens"] = FakeUpstream.CompletionTokens,
        ["total_tokens"] = exchange.PromptTokens + FakeUpstream.CompletionTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = FakeUpstream.CachedTokens, ["audio_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject
        {
            ["reasoning_tokens"] = FakeUpstream.ReasoningTokens,
            ["audio_tokens"] = 0,
            ["accepted_prediction_tokens"] = 0,
            ["rejected_prediction_tokens"] = 0,
        },
    };

    /// <summary>Chunks of one stream; when usage was asked for, every chunk carries <c>"usage": null</c> as OpenAI's do.</summary>
    private sealed class ChunkFactory(FakeExchange exchange, bool includeUsage)
    {
        public JsonObject Delta(JsonObject delta, string? finishReason, JsonObject? logprobs = null)
        {
            var choice = new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = logprobs, ["finish_reason"] = finishReason };
            var chunk = Envelope(exchange, "chat.completion.chunk", new JsonArray(choice));
            if (includeUsage)
            {
                chunk["usage"] = null;
            }
            return chunk;
        }

        public JsonObject UsageOnly()
        {
            var chunk = Envelope(exchange, "chat.completion.chunk", []);
            chunk["usage"] = Usage(exchange);
            return chunk;
        }
    }
}
