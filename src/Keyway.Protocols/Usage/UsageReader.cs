using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Usage;

/// <summary>Reads the top-level <c>usage</c> of a non-streamed response; all null when absent or unreadable.</summary>
public static class UsageReader
{
    /// <summary>A Chat Completions response object (https://platform.openai.com/docs/api-reference/chat/object).</summary>
    public static TokenUsage FromChatCompletion(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Chat);

    /// <summary>An Anthropic Message object (https://docs.anthropic.com/en/api/messages).</summary>
    public static TokenUsage FromAnthropicMessage(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Anthropic);

    /// <summary>An OpenAI Responses response object (https://platform.openai.com/docs/api-reference/responses/object).</summary>
    public static TokenUsage FromResponse(ReadOnlySpan<byte> json) => Read(json, UsageFormat.Responses);

    private enum UsageFormat
    {
        Chat,
        Anthropic,
        Responses,
    }

    private static TokenUsage Read(ReadOnlySpan<byte> json, UsageFormat format)
    {
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
}
