using System.Text.Json;

namespace Keyway.Gateway;

/// <summary>What a 200's body must at least look like to be a chat surface's answer.</summary>
internal static class AnswerBody
{
    /// <summary>
    /// Whether the body can be a JSON answer at all: its first byte past whitespace (and a BOM) opens an object. An HTML
    /// page from a wrong base URL, or an empty body, cannot. A check of one byte, so the success path parses nothing more.
    /// </summary>
    public static bool StartsLikeJsonObject(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }
        var start = body.IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && body[start] == (byte)'{';
    }

    /// <summary>
    /// Whether the object opens as an error instead of an answer: its first property is a non-null <c>error</c> (OpenAI's
    /// shape, which some OpenAI-compatible vendors send with status 200) or <c>"type":"error"</c> (Anthropic's shape). Only
    /// the first tokens are read, so a normal answer costs a property name; whatever is unreadable there is no error.
    /// </summary>
    public static bool LeadsWithError(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }
        var reader = new Utf8JsonReader(body, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
            {
                return false;
            }
            var isError = reader.ValueTextEquals("error"u8);
            var isType = reader.ValueTextEquals("type"u8);
            if ((!isError && !isType) || !reader.Read())
            {
                return false;
            }
            return isError
                ? reader.TokenType is not JsonTokenType.Null
                : reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
