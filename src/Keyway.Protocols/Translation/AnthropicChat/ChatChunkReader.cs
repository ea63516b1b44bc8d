using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Reads a Chat stream chunk (https://platform.openai.com/docs/api-reference/chat-streaming/streaming) into a
/// <see cref="ChatChunk"/> in one pass of a <see cref="Utf8JsonReader"/>, reading only what the stream translator uses:
/// <c>choices[].index</c>, <c>.delta</c> (<c>content</c>, <c>reasoning_content</c>, <c>tool_calls</c>),
/// <c>.finish_reason</c>, <c>.stop_reason</c> / <c>.matched_stop</c>, <c>usage</c> and <c>error</c>. Every other
/// member is skipped unread. It runs for every event of every translated stream: the source-generated deserializer
/// behind a <see cref="JsonShapeCheck"/> pass was a quarter of such a call's CPU (bench/RESULTS.md).
/// A chunk is unreadable (null: streams skip it) when it is not one JSON object, when a member read here holds a value
/// of the wrong type or an array item that is not an object, or when an object names such a member twice (which of
/// the two would the upstream mean?). A JSON null reads as the member's absence.
/// </summary>
internal static class ChatChunkReader
{
    private static readonly MemberSet ChunkMembers = new("choices", "usage", "error");
    private static readonly MemberSet ChoiceMembers = new("index", "delta", "finish_reason", "stop_reason", "matched_stop");
    private static readonly MemberSet DeltaMembers = new("content", "reasoning_content", "tool_calls");
    private static readonly MemberSet ToolCallMembers = new("index", "id", "function");
    private static readonly MemberSet FunctionMembers = new("name", "arguments");
    private static readonly MemberSet UsageMembers = new("prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details");
    private static readonly MemberSet CachedTokensMember = new("cached_tokens");
    private static readonly MemberSet ReasoningTokensMember = new("reasoning_tokens");
    private static readonly MemberSet ErrorMembers = new("message", "type");

    public static ChatChunk? Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            var chunk = ReadChunk(ref reader);
            // Anything after the object (a second document) makes the event unreadable, as it did for the deserializer.
            return reader.Read() ? null : chunk;
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return null;
        }
    }

    private static ChatChunk ReadChunk(ref Utf8JsonReader reader)
    {
        var chunk = new ChatChunk();
        var seen = 0;
        while (ChunkMembers.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "choices":
                    ReadObjects(ref reader, chunk.Choices, ReadChoice);
                    break;
                case "usage":
                    chunk.Usage = StartObject(ref reader) ? ReadUsage(ref reader) : null;
                    break;
                case "error":
                    chunk.Error = ReadError(ref reader);
                    break;
            }
        }
        return chunk;
    }

    private static ChatChunkChoice ReadChoice(ref Utf8JsonReader reader)
    {
        var choice = new ChatChunkChoice();
        var seen = 0;
        while (ChoiceMembers.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "index":
                    choice.Index = ReadInt32(ref reader) ?? 0;
                    break;
                case "delta":
                    choice.Delta = StartObject(ref reader) ? ReadDelta(ref reader) : null;
                    break;
                case "finish_reason":
                    choice.FinishReason = ReadString(ref reader);
                    break;
                case "stop_reason":
                    choice.StopReason = ReadStopName(ref reader);
                    break;
                case "matched_stop":
                    choice.MatchedStop = ReadStopName(ref reader);
                    break;
            }
        }
        return choice;
    }

    private static ChatDelta ReadDelta(ref Utf8JsonReader reader)
    {
        var delta = new ChatDelta();
        var seen = 0;
        while (DeltaMembers.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "content":
                    delta.Content = ReadString(ref reader);
                    break;
                case "reasoning_content":
                    delta.ReasoningContent = ReadString(ref reader);
                    break;
                case "tool_calls":
                    var calls = new List<ChatToolCall>();
                    delta.ToolCalls = ReadObjects(ref reader, calls, ReadToolCall) ? calls : null;
                    break;
            }
        }
        return delta;
    }

    private static ChatToolCall ReadToolCall(ref Utf8JsonReader reader)
    {
        var call = new ChatToolCall();
        var seen = 0;
        while (ToolCallMembers.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "index":
                    call.Index = ReadInt32(ref reader);
                    break;
                case "id":
                    call.Id = ReadString(ref reader);
                    break;
                case "function":
                    call.Function = StartObject(ref reader) ? ReadFunction(ref reader) : null;
                    break;
            }
        }
        return call;
    }

    private static ChatFunctionCall ReadFunction(ref Utf8JsonReader reader)
    {
        var function = new ChatFunctionCall();
        var seen = 0;
        while (FunctionMembers.Next(ref reader, ref seen) is { } member)
        {
            var text = ReadString(ref reader);
            if (member == "name")
            {
                function.Name = text;
            }
            else
            {
                function.Arguments = text;
            }
        }
        return function;
    }

    private static ChatUsage ReadUsage(ref Utf8JsonReader reader)
    {
        var usage = new ChatUsage();
        var seen = 0;
        while (UsageMembers.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "prompt_tokens":
                    usage.PromptTokens = ReadInt64(ref reader) ?? 0;
                    break;
                case "completion_tokens":
                    usage.CompletionTokens = ReadInt64(ref reader) ?? 0;
                    break;
                case "total_tokens":
                    usage.TotalTokens = ReadInt64(ref reader) ?? 0;
                    break;
                case "prompt_tokens_details":
                    usage.PromptTokensDetails = StartObject(ref reader) ? new ChatPromptTokensDetails(ReadOneCount(ref reader, CachedTokensMember)) : null;
                    break;
                case "completion_tokens_details":
                    usage.CompletionTokensDetails = StartObject(ref reader) ? new ChatCompletionTokensDetails(ReadOneCount(ref reader, ReasoningTokensMember)) : null;
                    break;
            }
        }
        return usage;
    }

    /// <summary>The one count read from a usage details object (the others are skipped).</summary>
    private static long? ReadOneCount(ref Utf8JsonReader reader, MemberSet count)
    {
        long? value = null;
        var seen = 0;
        while (count.Next(ref reader, ref seen) is not null)
        {
            value = ReadInt64(ref reader);
        }
        return value;
    }

    /// <summary>An error object's message and type; an error given as a bare string is its message.</summary>
    private static ChatError? ReadError(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return new ChatError(reader.GetString(), null);
        }
        if (!IsStart(ref reader, JsonTokenType.StartObject))
        {
            return null;
        }

        string? message = null;
        string? type = null;
        var seen = 0;
        while (ErrorMembers.Next(ref reader, ref seen) is { } member)
        {
            var text = ReadString(ref reader);
            if (member == "message")
            {
                message = text;
            }
            else
            {
                type = text;
            }
        }
        return new ChatError(message, type);
    }

    private delegate T ItemReader<out T>(ref Utf8JsonReader reader);

    /// <summary>Reads an array of objects into <paramref name="items"/>; false for a JSON null.</summary>
    private static bool ReadObjects<T>(ref Utf8JsonReader reader, List<T> items, ItemReader<T> readItem)
    {
        reader.Read();
        if (!IsStart(ref reader, JsonTokenType.StartArray))
        {
            return false;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(reader.TokenType == JsonTokenType.StartObject ? readItem(ref reader) : throw Unreadable());
        }
        return true;
    }

    /// <summary>
    /// vLLM's <c>stop_reason</c> or SGLang's <c>matched_stop</c>: the stop string that ended the answer. A number there
    /// is a stop token id and is ignored, as is anything but a string.
    /// </summary>
    private static JsonNode? ReadStopName(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return JsonValue.Create(reader.GetString());
        }
        reader.Skip();
        return null;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw Unreadable(),
        };
    }

    private static long? ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var value) => value,
            JsonTokenType.Null => null,
            _ => throw Unreadable(),
        };
    }

    private static int? ReadInt32(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var value) => value,
            JsonTokenType.Null => null,
            _ => throw Unreadable(),
        };
    }

    /// <summary>Moves onto the value after a property name: true when it opens an object, false for a JSON null.</summary>
    private static bool StartObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        return IsStart(ref reader, JsonTokenType.StartObject);
    }

    /// <summary>True on <paramref name="start"/>, false on a JSON null; any other token makes the chunk unreadable.</summary>
    private static bool IsStart(ref Utf8JsonReader reader, JsonTokenType start)
    {
        if (reader.TokenType == start)
        {
            return true;
        }
        return reader.TokenType == JsonTokenType.Null ? false : throw Unreadable();
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static JsonException Unreadable() => new("The chunk does not have the shape of a Chat stream chunk.");

    /// <summary>The members of one kind of object that the reader reads; the others are skipped.</summary>
    private sealed class MemberSet
    {
        private readonly string[] _names;
        private readonly byte[][] _utf8Names;

        public MemberSet(params string[] names)
        {
            _names = names;
            _utf8Names = Array.ConvertAll(names, System.Text.Encoding.UTF8.GetBytes);
        }

        /// <summary>
        /// Moves to the next member of the object being read that is in this set (skipping the others) and returns its
        /// name, positioned on the name; null at the end of the object. <paramref name="seen"/> holds one bit per
        /// member already met in this object: a member met twice makes the chunk unreadable.
        /// </summary>
        public string? Next(ref Utf8JsonReader reader, ref int seen)
        {
            while (JsonReading.NextProperty(ref reader))
            {
                for (var i = 0; i < _utf8Names.Length; i++)
                {
                    if (reader.ValueTextEquals(_utf8Names[i]))
                    {
                        var bit = 1 << i;
                        seen = (seen & bit) == 0 ? seen | bit : throw Unreadable();
                        return _names[i];
                    }
                }
                SkipValue(ref reader);
            }
            return null;
        }
    }
}
