using System.Text;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>A seeded generator of valid-but-varied Anthropic and Chat documents (requests, answers and streams).</summary>
internal sealed class RandomWire(int seed)
{
    private static readonly string[] Words = ["", "bonjour", "Zürich ☁️", "\"quoted\"", "line\nbreak", "tab\t", "💡", "x"];
    private static readonly string[] Tools = ["get_weather", "get_time", "mcp__a_very_long_server_name_that_goes_on_and_on__and_a_long_tool_name_too"];
    private readonly Random _random = new(seed);

    public JsonObject AnthropicRequest()
    {
        var messages = new JsonArray();
        for (var turn = 0; turn < _random.Next(1, 6); turn++)
        {
            var user = turn % 2 == 0;
            messages.Add(new JsonObject { ["role"] = user ? "user" : "assistant", ["content"] = user ? UserContent() : AssistantContent() });
        }

        var request = new JsonObject { ["model"] = "m", ["max_tokens"] = _random.Next(1, 40000), ["messages"] = messages };
        Maybe(request, "system", () => _random.Next(2) == 0 ? Word() : new JsonArray(TextBlock(), TextBlock()));
        Maybe(request, "tools", () => new JsonArray([.. Tools.Select(AnthropicTool), new JsonObject { ["type"] = "web_search_20250305", ["name"] = "web_search" }]));
        Maybe(request, "tool_choice", () => Pick<JsonNode>(new JsonObject { ["type"] = "auto" }, new JsonObject { ["type"] = "any", ["disable_parallel_tool_use"] = true }, new JsonObject { ["type"] = "tool", ["name"] = Pick(Tools) }, new JsonObject { ["type"] = "none" }));
        Maybe(request, "thinking", () => new JsonObject { ["type"] = "enabled", ["budget_tokens"] = _random.Next(1024, 40000) });
        Maybe(request, "stop_sequences", () => new JsonArray(Word(), "FIN"));
        Maybe(request, "stream", () => _random.Next(2) == 0);
        Maybe(request, "metadata", () => new JsonObject { ["user_id"] = "u" });
        return request;
    }

    public JsonObject ChatRequest()
    {
        var messages = new JsonArray();
        for (var i = 0; i < _random.Next(1, 8); i++)
        {
            messages.Add(Pick(ChatSystem, ChatUser, ChatAssistant, ChatTool)());
        }

        var request = new JsonObject { ["model"] = "m", ["messages"] = messages };
        Maybe(request, "max_tokens", () => _random.Next(1, 40000));
        Maybe(request, "tools", () => new JsonArray([.. Tools.Select(name => (JsonNode)new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["parameters"] = Schema() } })]));
        Maybe(request, "tool_choice", () => Pick<JsonNode>("auto", "none", "required", new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = Pick(Tools) } }));
        Maybe(request, "parallel_tool_calls", () => _random.Next(2) == 0);
        Maybe(request, "stop", () => Pick<JsonNode>(Word(), new JsonArray(Word(), "FIN")));
        Maybe(request, "temperature", () => _random.NextDouble() * 2);
        Maybe(request, "reasoning_effort", () => Pick("minimal", "low", "medium", "high"));
        Maybe(request, "stream", () => _random.Next(2) == 0);
        return request;
    }

    /// <summary>A chat.completion; its tool call names are ones a request translation may have produced.</summary>
    public JsonObject ChatResponse() => new()
    {
        ["id"] = "chatcmpl-r",
        ["object"] = "chat.completion",
        ["created"] = 1,
        ["model"] = "m",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = _random.Next(3) == 0 ? null : Word(),
                ["reasoning_content"] = _random.Next(2) == 0 ? null : Word(),
                ["tool_calls"] = _random.Next(2) == 0 ? null : new JsonArray([.. Enumerable.Range(0, _random.Next(1, 4)).Select(i => (JsonNode)new JsonObject
                {
                    ["id"] = $"call_{i}",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = Pick(Tools), ["arguments"] = Pick("{}", "{\"city\":\"Zürich\",\"n\":[1,{\"a\":null}]}", "not json") },
                })]),
            },
            ["finish_reason"] = Pick("stop", "length", "tool_calls", "content_filter", "function_call"),
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 50, ["completion_tokens"] = 7, ["total_tokens"] = 57, ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = _random.Next(0, 60) } },
    };

    /// <summary>The chunks an upstream would stream for <paramref name="response"/>, cut at random points.</summary>
    public byte[] ChatStream(JsonObject response)
    {
        var message = response["choices"]![0]!["message"]!;
        var deltas = new List<JsonObject> { new() { ["role"] = "assistant", ["content"] = "" } };
        deltas.AddRange(Pieces(message["reasoning_content"]?.GetValue<string>()).Select(p => new JsonObject { ["reasoning_content"] = p }));
        deltas.AddRange(Pieces(message["content"]?.GetValue<string>()).Select(p => new JsonObject { ["content"] = p }));
        var calls = message["tool_calls"]?.AsArray() ?? [];
        for (var i = 0; i < calls.Count; i++)
        {
            var function = calls[i]!["function"]!;
            deltas.Add(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = i, ["id"] = calls[i]!["id"]!.GetValue<string>(), ["type"] = "function", ["function"] = new JsonObject { ["name"] = function["name"]!.GetValue<string>(), ["arguments"] = "" } }) });
            deltas.AddRange(Pieces(function["arguments"]!.GetValue<string>()).Select(p => new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = i, ["function"] = new JsonObject { ["arguments"] = p } }) }));
        }

        var sse = new StringBuilder();
        foreach (var delta in deltas)
        {
            sse.Append("data: ").Append(new JsonObject { ["id"] = "c", ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = null }) }.ToJsonString()).Append("\n\n");
        }

        sse.Append("data: ").Append(new JsonObject { ["id"] = "c", ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = response["choices"]![0]!["finish_reason"]!.DeepClone() }) }.ToJsonString()).Append("\n\n");
        sse.Append("data: ").Append(new JsonObject { ["id"] = "c", ["choices"] = new JsonArray(), ["usage"] = response["usage"]!.DeepClone() }.ToJsonString()).Append("\n\n");
        if (_random.Next(4) > 0)
        {
            sse.Append("data: [DONE]\n\n");
        }

        return Encoding.UTF8.GetBytes(sse.ToString());
    }

    private JsonArray UserContent()
    {
        var blocks = new JsonArray();
        for (var i = 0; i < _random.Next(1, 4); i++)
        {
            blocks.Add(Pick(TextBlock, ImageBlock, ToolResultBlock)());
        }

        return blocks;
    }

    private JsonArray AssistantContent()
    {
        var blocks = new JsonArray();
        for (var i = 0; i < _random.Next(1, 4); i++)
        {
            blocks.Add(Pick(
                TextBlock,
                () => new JsonObject { ["type"] = "thinking", ["thinking"] = Word(), ["signature"] = "sig" },
                () => new JsonObject { ["type"] = "redacted_thinking", ["data"] = "xyz" },
                () => new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{i}", ["name"] = Pick(Tools), ["input"] = new JsonObject { ["q"] = Word() } })());
        }

        return blocks;
    }

    private JsonNode TextBlock() => new JsonObject { ["type"] = "text", ["text"] = Word() };

    private JsonNode ImageBlock() => _random.Next(2) == 0
        ? new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = "iVBORw0KGgo=" } }
        : new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "url", ["url"] = "https://example.com/a.png" } };

    private JsonNode ToolResultBlock() => new JsonObject
    {
        ["type"] = "tool_result",
        ["tool_use_id"] = "toolu_0",
        ["content"] = _random.Next(2) == 0 ? Word() : new JsonArray(TextBlock(), ImageBlock()),
        ["is_error"] = _random.Next(2) == 0,
    };

    private JsonNode AnthropicTool(string name) => new JsonObject { ["name"] = name, ["description"] = Word(), ["input_schema"] = Schema() };

    private static JsonObject Schema() => new() { ["type"] = "object", ["properties"] = new JsonObject { ["q"] = new JsonObject { ["type"] = "string" } } };

    private JsonNode ChatSystem() => new JsonObject { ["role"] = Pick("system", "developer"), ["content"] = Word() };

    private JsonNode ChatUser() => new JsonObject
    {
        ["role"] = "user",
        ["content"] = _random.Next(2) == 0 ? Word() : new JsonArray(
            new JsonObject { ["type"] = "text", ["text"] = Word() },
            new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = Pick("data:image/png;base64,iVBORw0KGgo=", "https://example.com/a.png") } }),
    };

    private JsonNode ChatAssistant() => new JsonObject
    {
        ["role"] = "assistant",
        ["content"] = _random.Next(2) == 0 ? null : Word(),
        ["tool_calls"] = _random.Next(2) == 0 ? null : new JsonArray(new JsonObject { ["id"] = "call_0", ["type"] = "function", ["function"] = new JsonObject { ["name"] = Pick(Tools), ["arguments"] = Pick("{}", "{\"q\":1}", "oops") } }),
    };

    private JsonNode ChatTool() => new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_0", ["content"] = Word() };

    private IEnumerable<string> Pieces(string? text)
    {
        for (var at = 0; at < (text?.Length ?? 0);)
        {
            var length = Math.Min(_random.Next(1, 6), text!.Length - at);
            // Never split a surrogate pair: a JSON string cannot hold half of one.
            if (char.IsHighSurrogate(text[at + length - 1]) && at + length < text.Length)
            {
                length++;
            }

            yield return text.Substring(at, length);
            at += length;
        }
    }

    private string Word() => Pick(Words);

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];

    private void Maybe(JsonObject target, string key, Func<JsonNode?> value)
    {
        if (_random.Next(2) == 0)
        {
            target[key] = value();
        }
    }
}
