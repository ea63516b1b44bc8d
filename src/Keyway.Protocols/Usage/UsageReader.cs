using Keyway.Protocols.OpenAI;
using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Usage;

/// <summary>Reads the top-level <c>usage</c> of a non-streamed response; all null when absent or unreadable.</summary>
public static class UsageReader
{
    /// <summary>A Chat Completions response object (https://platform.openai.com/docs/api-reference/chat/object).</summary>
    public static TokenUsage FromChatCompletion(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Chat, out _);

    /// <summary>
    /// As above, and in the same pass whether a choice's <c>finish_reason</c> says the answer broke off (GLM's
    /// <c>network_error</c>): then <paramref name="brokeOff"/> is what a client is told of it, else null. The choices the
    /// usage scan skipped anyway are walked member by member instead, and the reason is compared in place, not read into
    /// a string, so a whole answer is still read once.
    /// </summary>
    public static TokenUsage FromChatCompletion(ReadOnlySpan<byte> json, out string? brokeOff)
    {
        var usage = Read(json, UsageFormat.Chat, out var brokeOffFound);
        brokeOff = brokeOffFound ? BrokenOffAnswer.Message : null;
        return usage;
    }

    /// <summary>An Anthropic Message object (https://docs.anthropic.com/en/api/messages).</summary>
    public static TokenUsage FromAnthropicMessage(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Anthropic, out _);

    /// <summary>An OpenAI Responses response object (https://platform.openai.com/docs/api-reference/responses/object).</summary>
    public static TokenUsage FromResponse(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Responses, out _);

    private enum UsageFormat
    {
        Chat,
        Anthropic,
        Responses,
    }

    private static TokenUsage Read(ReadOnlySpan<byte> json, UsageFormat format, out bool brokeOff)
    {
        brokeOff = false;
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
