using System.Buffers;
using System.Text.Json;
using Keyway.Protocols.Json;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Reads what a Chat upstream answers — a stream chunk (https://platform.openai.com/docs/api-reference/chat-streaming/streaming)
/// or a whole completion (https://platform.openai.com/docs/api-reference/chat/object) — into the DTOs in one pass of a
/// <see cref="Utf8JsonReader"/>, reading only what the translators use: <c>choices[].index</c>, the chunk's
/// <c>.delta</c> or the completion's <c>.message</c> (<c>content</c>, <c>reasoning_content</c>, <c>reasoning</c> or
/// <c>reasoning_details</c>, <c>thinking_blocks</c>, <c>tool_calls</c>),
/// <c>.finish_reason</c>, <c>.stop_reason</c> / <c>.matched_stop</c>, <c>.logprobs.content</c>, <c>usage</c>, and a chunk's <c>error</c>. Both
/// Chat translators read with it: into Anthropic (<see cref="ChatStreamToAnthropic"/>) and into Responses. Every
/// other member is skipped unread. It runs for every event of every translated stream and for every translated
/// answer: the source-generated deserializer behind a pass checking the document's shape was a quarter of a translated
/// stream's CPU and a twentieth of a translated answer's (bench/RESULTS.md).
/// A document is unreadable when it is not one JSON object, when a member read here holds a value of the wrong type or
/// an array item that is not an object, or when an object names such a member twice (which of the two would the
/// upstream mean?): a chunk is then skipped (null), a completion refused. A JSON null reads as the member's absence.
/// </summary>
internal static partial class ChatReader
{
    private static readonly MemberSet ChunkChoiceMembers = new("index", "delta", "finish_reason", "stop_reason", "matched_stop", "logprobs");
    private static readonly MemberSet CompletionChoiceMembers = new("index", "message", "finish_reason", "stop_reason", "matched_stop", "logprobs");

    private static readonly DocumentShape ChunkShape = new(
        new("choices", "usage", "error"), static (ref Utf8JsonReader reader) => ReadChoice(ref reader, ChunkChoiceMembers));

    private static readonly DocumentShape CompletionShape = new(
        new("choices", "usage"), static (ref Utf8JsonReader reader) => ReadChoice(ref reader, CompletionChoiceMembers));

    private static readonly MemberSet UsageMembers = new(
        "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "prompt_cache_hit_tokens", "completion_tokens_details");
    private static readonly MemberSet CachedTokensMember = new("cached_tokens");
    private static readonly MemberSet ReasoningTokensMember = new("reasoning_tokens");
    private static readonly MemberSet ErrorMembers = new("message", "type", "code");
    private static readonly MemberSet LogprobsMembers = new("content");

    /// <summary>
    /// A stream chunk, or null when it is unreadable (streams skip those). A chunk that differs from the stream's last
    /// plain text chunk only in its text (<paramref name="textShape"/>) is not tokenized at all (and is read into the one
    /// chunk the shape keeps, valid until the next read); otherwise the bytes it
    /// repeats from the stream's earlier chunks ahead of its first read member (<paramref name="prefix"/>) are not
    /// tokenized again.
    /// </summary>
    public static ChatChunk? ReadChunk(ReadOnlySpan<byte> json, ChatChunkPrefix prefix, ChatTextChunkShape textShape)
    {
        if (textShape.Read(json) is { } textChunk)
        {
            return textChunk;
        }
        try
        {
            var repeated = prefix.LengthIn(json);
            ChatChunk chunk;
            if (repeated > 0)
            {
                chunk = ReadAfterPrefix(json[repeated..]);
            }
            else
            {
                chunk = ReadDocument(json, ChunkShape, out var firstReadMember);
                if (firstReadMember > 0)
                {
                    prefix.Remember(json, firstReadMember);
                }
            }
            textShape.Remember(json, chunk);
            // Only a chunk without a choice is searched (vectorized) for a vendor's failure status: MiniMax's base_resp.
            if (chunk.Choices.Count == 0 && chunk.Error is null && VendorStatusInBody.FailureIn(json) is { } failed)
            {
                chunk.Error = new ChatError(failed.Text, null, failed.OpenAICode, VendorStatus: failed);
            }
            return chunk;
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return null;
        }
    }

    /// <summary>Reads "{" followed by <paramref name="rest"/>, in a buffer on the stack when the rest is as short as a content chunk's.</summary>
    private static ChatChunk ReadAfterPrefix(ReadOnlySpan<byte> rest)
    {
        const int StackBytes = 512;
        var length = rest.Length + 1;
        byte[]? rented = null;
        var document = length <= StackBytes ? stackalloc byte[length] : (rented = BytePool.Rent(length));
        try
        {
            document[0] = (byte)'{';
            rest.CopyTo(document[1..]);
            return ReadDocument(document[..length], ChunkShape, out _);
        }
        finally
        {
            if (rented is not null)
            {
                BytePool.Return(rented);
            }
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
            return ReadDocument(json, CompletionShape, out _);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            throw new TranslationException($"The upstream chat completion is not valid: {ex.Message}");
        }
    }

    /// <summary>The document; <paramref name="firstReadMember"/> is the offset of the first read member's name (-1: none).</summary>
    private static ChatChunk ReadDocument(ReadOnlySpan<byte> json, DocumentShape shape, out int firstReadMember)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The document is not a JSON object.");
        }
        var document = ReadChunk(ref reader, shape, out firstReadMember);
        // Anything after the object (a second document) throws here, as it did in the deserializer.
        reader.Read();
        return document;
    }

    private static ChatChunk ReadChunk(ref Utf8JsonReader reader, DocumentShape shape, out int firstReadMember)
    {
        var chunk = new ChatChunk();
        var seen = 0;
        firstReadMember = -1;
        while (shape.Members.Next(ref reader, ref seen) is { } member)
        {
            if (firstReadMember < 0)
            {
                firstReadMember = (int)reader.TokenStartIndex;
            }
            switch (member)
            {
                case "choices":
                    ReadObjects(ref reader, chunk.Choices, shape.ReadChoice);
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
                case "logprobs":
                    choice.Logprobs = ReadLogprobsContent(ref reader);
                    break;
            }
        }
        return choice;
    }

    /// <summary>
    /// <c>logprobs.content</c>, the sampled tokens' log probabilities, kept as the upstream wrote them: a Responses
    /// <c>output_text</c> part carries the same objects (token, logprob, bytes, top_logprobs). Null, or anything but an
    /// array there, reads as none, so an odd logprobs object never costs the text (OpenAI sends <c>"logprobs": null</c>
    /// in every chunk not asked for them).
    /// </summary>
    private static JsonElement? ReadLogprobsContent(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        JsonElement? content = null;
        var seen = 0;
        while (LogprobsMembers.Next(ref reader, ref seen) is not null)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                content = JsonElement.ParseValue(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
        return content;
    }

    private static ChatUsage ReadUsage(ref Utf8JsonReader reader)
    {
        var usage = new ChatUsage();
        long? cacheHits = null;
        var seen = 0;
        while (UsageMembers.Next(ref reader, ref seen) is { } member)
        {
            switch (member)
            {
                case "prompt_tokens":
                    usage.PromptTokens = ReadInt64(ref reader);
                    break;
                case "completion_tokens":
                    usage.CompletionTokens = ReadInt64(ref reader);
                    break;
                case "total_tokens":
                    usage.TotalTokens = ReadInt64(ref reader);
                    break;
                case "prompt_tokens_details":
                    usage.PromptTokensDetails = StartObject(ref reader) ? new ChatPromptTokensDetails(ReadOneCount(ref reader, CachedTokensMember)) : null;
                    break;
                case "prompt_cache_hit_tokens":
                    cacheHits = ReadInt64(ref reader);
                    break;
                case "completion_tokens_details":
                    usage.CompletionTokensDetails = StartObject(ref reader) ? new ChatCompletionTokensDetails(ReadOneCount(ref reader, ReasoningTokensMember)) : null;
                    break;
            }
        }
        if (cacheHits is not null)
        {
            usage.PromptTokensDetails = new ChatPromptTokensDetails(ChatCachedTokens.Of(usage.PromptTokensDetails?.CachedTokens, cacheHits));
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

    /// <summary>
    /// An error object's message, type and code (a string; a number or anything else there reads as absent, so an error
    /// is never skipped for an odd member); an error given as a bare string is its message.
    /// </summary>
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
        string? code = null;
        var seen = 0;
        while (ErrorMembers.Next(ref reader, ref seen) is { } member)
        {
            var text = ReadStringOrSkip(ref reader);
            switch (member)
            {
                case "message":
                    message = text;
                    break;
                case "type":
                    type = text;
                    break;
                case "code":
                    code = text;
                    break;
            }
        }
        return new ChatError(message, type, code);
    }
}
