using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Reads what a Chat upstream answers — a stream chunk (https://platform.openai.com/docs/api-reference/chat-streaming/streaming)
/// or a whole completion (https://platform.openai.com/docs/api-reference/chat/object) — into the DTOs in one pass of a
/// <see cref="Utf8JsonReader"/>, reading only what the translators use: <c>choices[].index</c>, the chunk's
/// <c>.delta</c> or the completion's <c>.message</c> (<c>content</c>, <c>reasoning_content</c>, <c>tool_calls</c>),
/// <c>.finish_reason</c>, <c>.stop_reason</c> / <c>.matched_stop</c>, <c>usage</c>, and a chunk's <c>error</c>. Every
/// other member is skipped unread. It runs for every event of every translated stream and for every translated
/// answer: the source-generated deserializer behind a <see cref="JsonShapeCheck"/> pass was a quarter of a translated
/// stream's CPU and a twentieth of a translated answer's (bench/RESULTS.md).
/// A document is unreadable when it is not one JSON object, when a member read here holds a value of the wrong type or
/// an array item that is not an object, or when an object names such a member twice (which of the two would the
/// upstream mean?): a chunk is then skipped (null), a completion refused. A JSON null reads as the member's absence.
/// </summary>
internal static class ChatReader
{
    private static readonly DocumentShape ChunkShape = new(
        new("choices", "usage", "error"), new("index", "delta", "finish_reason", "stop_reason", "matched_stop"));

    private static readonly DocumentShape CompletionShape = new(
        new("choices", "usage"), new("index", "message", "finish_reason", "stop_reason", "matched_stop"));

    private static readonly MemberSet DeltaMembers = new("content", "reasoning_content", "tool_calls");
    private static readonly MemberSet TextPartMembers = new("text");
    private static readonly MemberSet ToolCallMembers = new("index", "id", "function");
    private static readonly MemberSet FunctionMembers = new("name", "arguments");
    private static readonly MemberSet UsageMembers = new("prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details");
    private static readonly MemberSet CachedTokensMember = new("cached_tokens");
    private static readonly MemberSet ReasoningTokensMember = new("reasoning_tokens");
    private static readonly MemberSet ErrorMembers = new("message", "type");

    /// <summary>A stream chunk, or null when it is unreadable (streams skip those).</summary>
    public static ChatChunk? ReadChunk(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadDocument(json, ChunkShape);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return null;
        }
    }

    /// <summary>
    /// A whole completion, read as the one chunk that would carry all of it (each choice's <c>message</c> is its
    /// delta); an unreadable one is a <see cref="TranslationException"/> saying why.
    /// </summary>
    public static ChatChunk ReadCompletion(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadDocument(json, CompletionShape);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            throw new TranslationException($"The upstream chat completion is not valid: {ex.Message}");
        }
    }

    private static ChatChunk ReadDocument(ReadOnlySpan<byte> json, DocumentShape shape)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The document is not a JSON object.");
        }
        var document = ReadChunk(ref reader, shape);
        // Anything after the object (a second document) throws here, as it did in the deserializer.
        reader.Read();
        return document;
    }

    private static ChatChunk ReadChunk(ref Utf8JsonReader reader, DocumentShape shape)
    {
        var chunk = new ChatChunk();
        var seen = 0;
        while (shape.Members.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "choices":
                    ReadObjects(ref reader, chunk.Choices, shape == ChunkShape ? ReadChunkChoice : ReadCompletionChoice);
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

    private static ChatChunkChoice ReadChunkChoice(ref Utf8JsonReader reader) => ReadChoice(ref reader, ChunkShape.ChoiceMembers);

    private static ChatChunkChoice ReadCompletionChoice(ref Utf8JsonReader reader) => ReadChoice(ref reader, CompletionShape.ChoiceMembers);

    private static ChatChunkChoice ReadChoice(ref Utf8JsonReader reader, MemberSet members)
    {
        var choice = new ChatChunkChoice();
        var seen = 0;
        while (members.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "index":
                    choice.Index = ReadInt32(ref reader) ?? 0;
                    break;
                case "delta" or "message":
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

    /// <summary>
    /// Content as a string, or (some upstreams) an array of parts whose string <c>text</c> members are joined; a part
    /// without text (a refusal, an image) adds nothing.
    /// </summary>
    private static string? ReadContentText(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return ReadCurrentString(ref reader);
        }
        var parts = new List<string?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            parts.Add(reader.TokenType == JsonTokenType.StartObject ? ReadPartText(ref reader) : throw Unreadable(ref reader));
        }
        return string.Concat(parts);
    }

    private static string? ReadPartText(ref Utf8JsonReader reader)
    {
        string? text = null;
        var seen = 0;
        while (TextPartMembers.Next(ref reader, ref seen) is not null)
        {
            reader.Read();
            text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
        }
        return text;
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
                    delta.Content = ReadContentText(ref reader);
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
            items.Add(reader.TokenType == JsonTokenType.StartObject ? readItem(ref reader) : throw Unreadable(ref reader));
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
        return ReadCurrentString(ref reader);
    }

    private static string? ReadCurrentString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw Unreadable(ref reader),
    };

    private static long? ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var value) => value,
            JsonTokenType.Null => null,
            _ => throw Unreadable(ref reader),
        };
    }

    private static int? ReadInt32(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var value) => value,
            JsonTokenType.Null => null,
            _ => throw Unreadable(ref reader),
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
        return reader.TokenType == JsonTokenType.Null ? false : throw Unreadable(ref reader);
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static JsonException Unreadable(ref Utf8JsonReader reader) =>
        new($"A {reader.TokenType} at byte {reader.TokenStartIndex} is not what a Chat answer holds there.");

    /// <summary>The members read in a document of one kind, and in each of its choices.</summary>
    private sealed record DocumentShape(MemberSet Members, MemberSet ChoiceMembers);

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
                        seen = (seen & bit) == 0 ? seen | bit : throw new JsonException($"An object names the member \"{_names[i]}\" twice.");
                        return _names[i];
                    }
                }
                SkipValue(ref reader);
            }
            return null;
        }
    }
}
