using System.Text;
using System.Text.Json.Nodes;
using static Keyway.Tests.Translation.AnthropicChat.AnthropicChatHarness;

namespace Keyway.Tests.Translation.AnthropicChat;

/// <summary>Folds a stream into the non-stream document it stands for, the way the SDKs' aggregators do.</summary>
internal static class StreamAccumulators
{
    /// <summary>Anthropic events → the message (https://docs.anthropic.com/en/docs/build-with-claude/streaming).</summary>
    public static JsonObject AnthropicMessage(byte[] stream)
    {
        JsonObject message = [];
        var partialJson = new Dictionary<int, StringBuilder>();
        foreach (var (name, data) in ParseSse(stream))
        {
            switch (name)
            {
                case "message_start":
                    message = data!["message"]!.DeepClone().AsObject();
                    break;
                case "content_block_start":
                    message["content"]!.AsArray().Add(data!["content_block"]!.DeepClone());
                    break;
                case "content_block_delta":
                    AppendDelta(message, data!["index"]!.GetValue<int>(), data["delta"]!, partialJson);
                    break;
                case "message_delta":
                    message["stop_reason"] = data!["delta"]!["stop_reason"]?.DeepClone();
                    message["stop_sequence"] = data["delta"]!["stop_sequence"]?.DeepClone();
                    foreach (var (key, value) in data["usage"]!.AsObject())
                    {
                        message["usage"]![key] = value?.DeepClone();
                    }

                    break;
            }
        }

        foreach (var (index, json) in partialJson)
        {
            message["content"]![index]!["input"] = JsonNode.Parse(json.ToString());
        }

        return message;
    }

    /// <summary>Chat chunks → the chat.completion (https://platform.openai.com/docs/api-reference/chat-streaming).</summary>
    public static JsonObject ChatCompletion(byte[] stream)
    {
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        var thinkingBlocks = new JsonArray();
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        JsonNode? first = null, finishReason = null, usage = null;
        foreach (var (_, data) in ParseSse(stream))
        {
            if (data is not JsonObject chunk)
            {
                continue;
            }

            first ??= chunk;
            usage = chunk["usage"]?.DeepClone() ?? usage;
            foreach (var choice in chunk["choices"]!.AsArray())
            {
                var delta = choice!["delta"]!;
                content.Append(delta["content"]?.GetValue<string>());
                reasoning.Append(delta["reasoning_content"]?.GetValue<string>());
                foreach (var block in delta["thinking_blocks"]?.AsArray() ?? [])
                {
                    thinkingBlocks.Add(block!.DeepClone());
                }

                foreach (var call in delta["tool_calls"]?.AsArray() ?? [])
                {
                    var index = call!["index"]!.GetValue<int>();
                    var name = call["function"]?["name"]?.GetValue<string>();
                    if (!calls.TryGetValue(index, out var known) || (known.Name.Length == 0 && !string.IsNullOrEmpty(name)))
                    {
                        calls[index] = (known.Id ?? call["id"]!.GetValue<string>(), name ?? "", known.Arguments ?? new StringBuilder());
                    }

                    calls[index].Arguments.Append(call["function"]?["arguments"]?.GetValue<string>());
                }

                finishReason = choice["finish_reason"]?.DeepClone() ?? finishReason;
            }
        }

        JsonObject message = new() { ["role"] = "assistant", ["content"] = content.Length > 0 || calls.Count == 0 ? content.ToString() : null };
        if (reasoning.Length > 0)
        {
            message["reasoning_content"] = reasoning.ToString();
        }

        if (thinkingBlocks.Count > 0)
        {
            message["thinking_blocks"] = thinkingBlocks;
        }

        if (calls.Count > 0)
        {
            message["tool_calls"] = new JsonArray([.. calls.Values.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Arguments.ToString() },
            })]);
        }

        return new JsonObject
        {
            ["id"] = first?["id"]?.DeepClone(),
            ["object"] = "chat.completion",
            ["created"] = first?["created"]?.DeepClone(),
            ["model"] = first?["model"]?.DeepClone(),
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = finishReason }),
            ["usage"] = usage,
        };
    }

    private static void AppendDelta(JsonObject message, int index, JsonNode delta, Dictionary<int, StringBuilder> partialJson)
    {
        var block = message["content"]![index]!;
        switch (delta["type"]!.GetValue<string>())
        {
            case "text_delta":
                block["text"] = block["text"]!.GetValue<string>() + delta["text"]!.GetValue<string>();
                break;
            case "thinking_delta":
                block["thinking"] = block["thinking"]!.GetValue<string>() + delta["thinking"]!.GetValue<string>();
                break;
            case "signature_delta":
                block["signature"] = delta["signature"]!.GetValue<string>();
                break;
            case "input_json_delta":
                partialJson.TryAdd(index, new StringBuilder());
                partialJson[index].Append(delta["partial_json"]!.GetValue<string>());
                break;
        }
    }
}
