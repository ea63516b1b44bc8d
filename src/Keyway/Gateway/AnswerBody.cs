using System.Text.Json;

namespace Keyway.Gateway;

/// <summary>What a 200's body must at least look like to be a chat surface's answer.</summary>
internal static class AnswerBody
{
    /// <summary>
    /// Whether the body can be a JSON answer at all: its first byte past whitespace opens an object (a byte order mark
    /// was dropped where the body was read). An HTML page from a wrong base URL, or an empty body, cannot. A check of
    /// one byte, so the success path parses nothing more.
    /// </summary>
    public static bool StartsLikeJsonObject(ReadOnlySpan<byte> body)
    {
        var start = body.IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && body[start] == (byte)'{';
    }

    /// <summary>
    /// Whether the body's JSON ends before its first value does (a Content-Length shorter than the answer). A whole read
    /// of the body: for an answer a translator already refused, not for the success path.
    /// </summary>
    public static bool IsCutShort(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            return !reader.Read() || !reader.TrySkip();
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>
    /// Whether the object opens as an error instead of an answer: its first property is a non-null <c>error</c> (OpenAI's
    /// shape, which some OpenAI-compatible vendors send with status 200) or <c>"type":"error"</c> (Anthropic's shape). Only
    /// the first tokens are read, so a normal answer costs a property name; whatever is unreadable there is no error.
    /// </summary>
    public static bool LeadsWithError(ReadOnlySpan<byte> body) => Lead(body) == BodyLead.Error;

    /// <summary>
    /// What an object's first property says it is: an error (see <see cref="LeadsWithError"/>), a Responses stream's
    /// failure, a stream's opening event that carries nothing for the reader yet (<see cref="IsOpeningEventType"/>), or
    /// anything else, an answer.
    /// </summary>
    public static BodyLead Lead(ReadOnlySpan<byte> body) => Lead(body, out _);

    /// <summary><see cref="Lead(ReadOnlySpan{byte})"/>; <paramref name="typed"/> says the first property was <c>type</c>, which no Chat chunk has.</summary>
    private static BodyLead Lead(ReadOnlySpan<byte> body, out bool typed)
    {
        typed = false;
        var reader = new Utf8JsonReader(body, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
            {
                return BodyLead.Answer;
            }
            var isError = reader.ValueTextEquals("error"u8);
            var isType = typed = reader.ValueTextEquals("type"u8);
            if ((!isError && !isType) || !reader.Read())
            {
                return BodyLead.Answer;
            }
            if (isError)
            {
                return reader.TokenType is JsonTokenType.Null ? BodyLead.Answer : BodyLead.Error;
            }
            return reader.TokenType != JsonTokenType.String ? BodyLead.Answer
                : reader.ValueTextEquals("error"u8) ? BodyLead.Error
                : reader.ValueTextEquals("response.failed"u8) ? BodyLead.Failed
                : IsOpeningEventType(ref reader) ? BodyLead.Opening
                : BodyLead.Answer;
        }
        catch (JsonException)
        {
            return BodyLead.Answer;
        }
    }

    /// <summary>
    /// What a stream event's data says it is: <see cref="Lead"/>, and an OpenAI Chat chunk that carries nothing for the
    /// reader yet (<see cref="IsEmptyChatChunk"/>) is an opening too. Only a stream's opening is read this way, so the
    /// deeper read of a Chat chunk is paid for its first events alone, and an Anthropic or Responses event (its first
    /// property <c>type</c>) is not read again.
    /// </summary>
    public static BodyLead StreamEventLead(ReadOnlySpan<byte> data)
    {
        var lead = Lead(data, out var typed);
        return lead == BodyLead.Answer && !typed && IsEmptyChatChunk(data) ? BodyLead.Opening : lead;
    }

    /// <summary>
    /// Whether a Chat Completions chunk has nothing of the answer: every choice's <c>delta</c> holds at most its
    /// <c>role</c> and empty values (OpenAI's first chunk is <c>{"role":"assistant","content":"","refusal":null}</c>),
    /// no choice has finished, and no <c>usage</c> came; or its <c>choices</c> are empty and there is no usage (Azure
    /// OpenAI's first chunk carries only <c>prompt_filter_results</c>)
    /// (https://platform.openai.com/docs/api-reference/chat-streaming/streaming). Vendors send an error right after such a
    /// chunk too, which then still finds the client untouched.
    /// </summary>
    private static bool IsEmptyChatChunk(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            var hasChoices = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isChoices = reader.ValueTextEquals("choices"u8);
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (isChoices)
                {
                    if (!ChoicesAreEmpty(ref reader))
                    {
                        return false;
                    }
                    hasChoices = true;
                }
                else if (isUsage && reader.TokenType != JsonTokenType.Null)
                {
                    return false;
                }
                reader.Skip();
            }
            return hasChoices;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ChoicesAreEmpty(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDelta = reader.ValueTextEquals("delta"u8);
                var isFinishReason = reader.ValueTextEquals("finish_reason"u8);
                reader.Read();
                if ((isDelta && !DeltaIsEmpty(ref reader)) || (isFinishReason && reader.TokenType != JsonTokenType.Null))
                {
                    return false;
                }
                reader.Skip();
            }
        }
        return reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool DeltaIsEmpty(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRole = reader.ValueTextEquals("role"u8);
            reader.Read();
            var isEmpty = reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.String && reader.ValueSpan.IsEmpty);
            if (!isRole && !isEmpty)
            {
                return false;
            }
            reader.Skip();
        }
        return true;
    }

    /// <summary>
    /// The stream events that only open an answer: Anthropic's <c>message_start</c>, <c>ping</c> and a content block's
    /// start, whose content follows in deltas (https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types),
    /// and the Responses API's lifecycle events and item and part announcements
    /// (https://platform.openai.com/docs/api-reference/responses-streaming). An error may still follow them (Anthropic's
    /// <c>overloaded_error</c> comes after <c>message_start</c>), so a client that saw only these has seen no answer.
    /// </summary>
    private static bool IsOpeningEventType(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("message_start"u8) || reader.ValueTextEquals("ping"u8) || reader.ValueTextEquals("content_block_start"u8)
        || reader.ValueTextEquals("response.created"u8) || reader.ValueTextEquals("response.queued"u8)
        || reader.ValueTextEquals("response.in_progress"u8) || reader.ValueTextEquals("response.output_item.added"u8)
        || reader.ValueTextEquals("response.content_part.added"u8);
}

/// <summary>What the first property of a body or a stream event says it is.</summary>
internal enum BodyLead
{
    Answer,
    Error,
    Opening,

    /// <summary>The Responses API's <c>response.failed</c>: an error of the key or the request (<see cref="ResponsesFailure"/>).</summary>
    Failed,
}
