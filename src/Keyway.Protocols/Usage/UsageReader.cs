using Keyway.Protocols.OpenAI;
using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Usage;

/// <summary>Reads the top-level <c>usage</c> of a non-streamed response; all null when absent or unreadable.</summary>
public static class UsageReader
{
    /// <summary>A Chat Completions response object (https://platform.openai.com/docs/api-reference/chat/object).</summary>
    public static TokenUsage FromChatCompletion(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Chat, out _, out _);

    /// <summary>
    /// As above, and in the same pass whether a choice's <c>finish_reason</c> says the answer broke off (GLM's
    /// <c>network_error</c>): then <paramref name="brokeOff"/> is what a client is told of it, else null. The choices the
    /// usage scan skipped anyway are walked member by member instead, and the reason is compared in place, not read into
    /// a string, so a whole answer is still read once.
    /// </summary>
    /// <param name="cutShort">See <see cref="FromAnthropicMessage(ReadOnlySpan{byte}, out bool)"/>.</param>
    public static TokenUsage FromChatCompletion(ReadOnlySpan<byte> json, out string? brokeOff, out bool cutShort)
    {
        var usage = Read(json, UsageFormat.Chat, out var brokeOffFound, out cutShort);
        brokeOff = brokeOffFound ? BrokenOffAnswer.Message : null;
        return usage;
    }

    /// <summary>An Anthropic Message object (https://docs.anthropic.com/en/api/messages).</summary>
    public static TokenUsage FromAnthropicMessage(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Anthropic, out _, out _);

    /// <summary>
    /// As above, and whether the object is cut short: the scan walks the whole top-level object anyway (each value it
    /// does not read is skipped, which checks its syntax), so a body whose JSON ends before the object's end (a
    /// Content-Length shorter than the body) is found in the same pass. A value of the wrong type is no cut.
    /// </summary>
    public static TokenUsage FromAnthropicMessage(ReadOnlySpan<byte> json, out bool cutShort) => Read(json, UsageFormat.Anthropic, out _, out cutShort);

    /// <summary>An OpenAI Responses response object (https://platform.openai.com/docs/api-reference/responses/object).</summary>
    public static TokenUsage FromResponse(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Responses, out _, out _);

    /// <param name="cutShort">See <see cref="FromAnthropicMessage(ReadOnlySpan{byte}, out bool)"/>.</param>
    public static TokenUsage FromResponse(ReadOnlySpan<byte> json, out bool cutShort) => Read(json, UsageFormat.Responses, out _, out cutShort);

    private enum UsageFormat
    {
        Chat,
        Anthropic,
        Responses,
    }

    private static TokenUsage Read(ReadOnlySpan<byte> json, UsageFormat format, out bool brokeOff, out bool cutShort)
    {
        brokeOff = false;
        cutShort = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TokenUsage.Unknown;
            }

            var usage = TokenUsage.Unknown;
            while (JsonReading.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("usage"u8) && JsonReading.ReadStartObject(ref reader))
                {
                    usage = format switch
                    {
                        UsageFormat.Anthropic => UsageJson.ReadAnthropic(ref reader),
                        UsageFormat.Responses => UsageJson.ReadResponses(ref reader),
                        _ => UsageJson.ReadOpenAI(ref reader),
                    };
                }
                else if (format == UsageFormat.Chat && reader.ValueTextEquals("choices"u8))
                {
                    brokeOff |= ChoiceBrokeOff(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return usage;
        }
        catch (JsonException)
        {
            // The reader's own error: the text is no (whole) JSON, as a value's wrong type (InvalidOperationException) is not.
            cutShort = true;
            return TokenUsage.Unknown;
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return TokenUsage.Unknown;
        }
    }

    /// <summary>Whether any choice's <c>finish_reason</c> is <c>network_error</c>; the reader ends on the array's end (or the value it skipped).</summary>
    private static bool ChoiceBrokeOff(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }
        var brokeOff = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            while (JsonReading.NextProperty(ref reader))
            {
                var isFinishReason = reader.ValueTextEquals("finish_reason"u8);
                reader.Read();
                brokeOff |= isFinishReason && BrokenOffAnswer.IsFinishReason(ref reader);
                reader.Skip();
            }
        }
        return brokeOff;
    }
}
