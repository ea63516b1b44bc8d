using System.Text;
using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols;

/// <summary>
/// Finds the human-readable message in an upstream error body, whatever shape the upstream uses:
/// OpenAI <c>{"error":{"message"}}</c> (https://platform.openai.com/docs/guides/error-codes), <c>{"error":"text"}</c>,
/// Anthropic <c>{"type":"error","error":{"type","message"}}</c> (https://docs.anthropic.com/en/api/errors),
/// FastAPI-style <c>{"detail":…}</c>, <c>{"message":…}</c>, <c>{"msg":…}</c>, or plain text.
/// </summary>
public static class UpstreamErrorMessage
{
    /// <summary>The message, trimmed and cut to at most <paramref name="maxChars"/> characters (the last one then "…").</summary>
    public static string Extract(ReadOnlySpan<byte> body, int maxChars)
    {
        var message = FromJson(body) ?? Encoding.UTF8.GetString(body);
        return Truncate(message.Trim(), maxChars);
    }

    /// <summary>
    /// The message of a body whose top level holds an <c>error</c> (an object, or its text) instead of an answer, as some
    /// OpenAI-compatible vendors answer errors with status 200 and as Anthropic's error shape does; null for any other body.
    /// </summary>
    public static string? ErrorObjectMessage(ReadOnlySpan<byte> body, int maxChars)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (JsonReading.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    return ReadErrorValue(ref reader, body) is { } message && NonEmpty(message) is not null ? Truncate(message.Trim(), maxChars) : null;
                }
                reader.Read();
                reader.Skip();
            }
            return null;
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return null;
        }
    }

    internal static string Truncate(string text, int maxChars)
    {
        if (maxChars <= 0)
        {
            return string.Empty;
        }

        if (text.Length <= maxChars)
        {
            return text;
        }

        var keep = maxChars - 1;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), "…");
    }

    private static string? FromJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? error = null, message = null, detail = null, msg = null;
            while (JsonReading.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    error = ReadErrorValue(ref reader, body);
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    message = ReadText(ref reader, body);
                }
                else if (reader.ValueTextEquals("detail"u8))
                {
                    detail = ReadText(ref reader, body);
                }
                else if (reader.ValueTextEquals("msg"u8))
                {
                    msg = ReadText(ref reader, body);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return NonEmpty(error) ?? NonEmpty(message) ?? NonEmpty(detail) ?? NonEmpty(msg);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return null;
        }
    }

    /// <summary><c>error</c> is either the text itself or an object holding <c>message</c> (falling back to its type or code).</summary>
    private static string? ReadErrorValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
    {
        if (!JsonReading.ReadStartObject(ref reader))
        {
            return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        }

        string? message = null, type = null, code = null;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("message"u8))
            {
                message = ReadText(ref reader, body);
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                type = JsonReading.ReadStringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                code = ReadText(ref reader, body);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return NonEmpty(message) ?? NonEmpty(type) ?? NonEmpty(code);
    }

    /// <summary>A string value as its text; an object, array or number as its JSON (FastAPI puts a list in <c>detail</c>).</summary>
    private static string? ReadText(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Null:
                return null;
            default:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(body[start..(int)reader.BytesConsumed]);
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
