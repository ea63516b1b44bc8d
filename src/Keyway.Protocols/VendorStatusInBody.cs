using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols;

/// <summary>
/// MiniMax's own status in a 200's body: its native API, and its OpenAI-compatible Chat API for some failures, answer
/// HTTP 200 with <c>"base_resp":{"status_code":…,"status_msg":…}</c> and no <c>choices</c>, 0 meaning success
/// (https://platform.minimax.io/docs/api-reference/errorcode; a key the API refuses:
/// <c>{"base_resp":{"status_code":2049,"status_msg":"invalid api key"}}</c>, https://github.com/MiniMax-AI/MiniMax-01/issues/37).
/// A successful answer carries <c>base_resp</c> too, with 0, so only a non-zero code beside no choice is a failure.
/// </summary>
public static class VendorStatusInBody
{
    /// <summary>A failure the body reports in <c>base_resp</c>: MiniMax's code and its message.</summary>
    public sealed record Failure(long Code, string? Message)
    {
        /// <summary>As MiniMax writes the failure in its other errors: "insufficient balance (1008)".</summary>
        public string Text => $"{(string.IsNullOrWhiteSpace(Message) ? "error" : Message.Trim())} ({Code})";

        /// <summary>
        /// OpenAI's code for what the status names, which the translators carry into each client's error kind (a rate limit
        /// Claude Code retries); none for a refused key, which is the gateway's own and no client's.
        /// </summary>
        public string? OpenAICode => VendorErrorSignals.KindOfStatusInBody(Code) switch
        {
            VendorErrorKind.RateLimit => "rate_limit_exceeded",
            VendorErrorKind.Quota => "insufficient_quota",
            _ => null,
        };
    }

    /// <summary>
    /// The failure a body's root <c>base_resp</c> reports, when its <c>status_code</c> is a number other than 0 and the
    /// body has no choice (none, null, or empty); null otherwise, and for anything unreadable. A body without the member
    /// name costs one vectorized search.
    /// </summary>
    public static Failure? FailureIn(ReadOnlySpan<byte> body)
    {
        if (body.IndexOf("\"base_resp\""u8) < 0)
        {
            return null;
        }
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            Failure? failure = null;
            var answered = false;
            while (JsonReading.NextProperty(ref reader))
            {
                var isStatus = reader.ValueTextEquals("base_resp"u8);
                var isChoices = reader.ValueTextEquals("choices"u8);
                reader.Read();
                if (isStatus && reader.TokenType == JsonTokenType.StartObject)
                {
                    failure = ReadStatus(ref reader);
                }
                else
                {
                    answered |= isChoices && reader.TokenType == JsonTokenType.StartArray && HasItem(ref reader);
                    reader.Skip();
                }
            }
            return answered ? null : failure;
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return null;
        }
    }

    private static Failure? ReadStatus(ref Utf8JsonReader reader)
    {
        long? code = null;
        string? message = null;
        while (JsonReading.NextProperty(ref reader))
        {
            var isCode = reader.ValueTextEquals("status_code"u8);
            var isMessage = reader.ValueTextEquals("status_msg"u8);
            reader.Read();
            if (isCode && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
            {
                code = number;
            }
            else if (isMessage && reader.TokenType == JsonTokenType.String)
            {
                message = reader.GetString();
            }
            reader.Skip();
        }
        return code is { } value and not 0 ? new Failure(value, message) : null;
    }

    /// <summary>Whether the array the reader is on holds an item; the reader stays on its start, for the caller's skip.</summary>
    private static bool HasItem(ref Utf8JsonReader reader)
    {
        var copy = reader;
        return copy.Read() && copy.TokenType != JsonTokenType.EndArray;
    }
}
