using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols.Anthropic;

/// <summary>
/// What Anthropic refuses in a count_tokens body before counting (https://docs.anthropic.com/en/api/messages-count-tokens:
/// <c>messages</c>, an array of message objects, is required), checked where Keyway estimates instead of asking an
/// Anthropic upstream, so a body Anthropic would answer 400 is not counted as if it were fine. The messages follow
/// Anthropic's validation wording ("messages: Field required"). The body is known to be one JSON object.
/// </summary>
public static class CountTokensRequestCheck
{
    /// <summary>The invalid_request_error message for the body, or null when it can be counted.</summary>
    public static string? Problem(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            while (JsonReading.NextProperty(ref reader))
            {
                var isMessages = reader.ValueTextEquals("messages"u8);
                reader.Read();
                if (isMessages)
                {
                    return MessagesProblem(ref reader);
                }
                reader.Skip();
            }
            return "messages: Field required";
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return "Invalid JSON body";
        }
    }

    private static string? MessagesProblem(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return "messages: Input should be a valid list";
        }
        for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"messages.{index}: Input should be a valid dictionary";
            }
            reader.Skip();
        }
        return null;
    }
}
