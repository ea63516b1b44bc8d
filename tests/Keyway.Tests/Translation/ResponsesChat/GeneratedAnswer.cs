using System.Text;
using System.Text.Json.Nodes;

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>A random chat answer, rendered both as a non-streamed completion and as a chat SSE stream cut at random points.</summary>
internal sealed record GeneratedAnswer(string? Reasoning, string? Text, IReadOnlyList<(string Id, string Name, string Arguments)> Calls, string FinishReason)
{
    private static readonly string[] Words = ["alpha", "ß", "\"quoted\"", "line\nbreak", "☃", "emoji 🚀", "back\\slash", "{", "}", "tab\t"];
    private static readonly string[] ToolNames = ["shell", "apply_patch", "search_docs", "not_declared"];

    public static GeneratedAnswer Create(Random random)
    {
        var calls = Enumerable.Range(0, random.Next(0, 4))
            .Select(i => ($"call_{i}_{random.Next(1000)}", ToolNames[random.Next(ToolNames.Length)], Arguments(random)))
            .ToList();
        return new GeneratedAnswer(
            random.Next(3) == 0 ? Sentence(random) : null,
            random.Next(4) == 0 ? null : Sentence(random),
            calls,
            random.Next(5) == 0 ? "length" : calls.Count > 0 ? "tool_calls" : "stop");
    }

    public byte[] ToCompletion()
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = Text, ["reasoning_content"] = Reasoning };
        if (Calls.Count > 0)
        {
            message["tool_calls"] = new JsonArray(Calls.Select(call => (JsonNode)new JsonObject
            {
                ["id"] = call.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
            }).ToArray());
        }

        var completion = new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = FinishReason }),
            ["usage"] = Usage(),
        };
        return Encoding.UTF8.GetBytes(completion.ToJsonString());
    }

    public byte[] ToStream(Random random)
    {
        var sse = new StringBuilder();
        foreach (var piece in Split(random, Reasoning))
        {
            Chunk(sse, new JsonObject { ["reasoning_content"] = piece });
        }

        foreach (var piece in Split(random, Text))
        {
            Chunk(sse, new JsonObject { ["content"] = piece });
        }

        for (var index = 0; index < Calls.Count; index++)
        {
            var (id, name, arguments) = Calls[index];
            var first = true;
            foreach (var piece in Split(random, arguments).DefaultIfEmpty(""))
            {
                var function = new JsonObject { ["arguments"] = piece };
                var call = new JsonObject { ["index"] = index, ["function"] = function };
                if (first)
                {
                    call["id"] = id;
                    function["name"] = name;
                    first = false;
                }

                Chunk(sse, new JsonObject { ["tool_calls"] = new JsonArray(call) });
            }
        }

        Append(sse, new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = FinishReason }) });
        Append(sse, new JsonObject { ["choices"] = new JsonArray(), ["usage"] = Usage() });
        sse.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sse.ToString());
    }

    private static JsonObject Usage() => new() { ["prompt_tokens"] = 11, ["completion_tokens"] = 7, ["total_tokens"] = 18 };

    private static void Chunk(StringBuilder sse, JsonObject delta) =>
        Append(sse, new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = null }) });

    private static void Append(StringBuilder sse, JsonObject chunk) => sse.Append("data: ").Append(chunk.ToJsonString()).Append("\n\n");

    private static string Sentence(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(1, 8)).Select(_ => Words[random.Next(Words.Length)]));

    private static string Arguments(Random random) => random.Next(4) switch
    {
        0 => new JsonObject { ["input"] = Sentence(random) }.ToJsonString(),
        1 => new JsonObject { ["command"] = new JsonArray(Sentence(random), Sentence(random)) }.ToJsonString(),
        2 => Sentence(random),
        _ => "",
    };

    /// <summary>Cuts a text into 1–4 pieces at char positions that do not split a surrogate pair.</summary>
    private static IEnumerable<string> Split(Random random, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + random.Next(1, text.Length + 1));
            if (end < text.Length && char.IsLowSurrogate(text[end]))
            {
                end++;
            }

            yield return text[start..end];
            start = end;
        }
    }
}
