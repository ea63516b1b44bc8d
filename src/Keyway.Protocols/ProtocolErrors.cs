using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Keyway.Protocols;

/// <summary>
/// Error bodies in each client protocol's own shape: OpenAI <c>{"error":{"message","type","param","code"}}</c>
/// (https://platform.openai.com/docs/guides/error-codes) and Anthropic <c>{"type":"error","error":{"type","message"}}</c>
/// (https://docs.anthropic.com/en/api/errors). The stream variants are for errors after the first byte, when
/// the status line is already sent: an SSE event the client SDKs surface as an error.
/// </summary>
public static class ProtocolErrors
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>OpenAI's error body; <paramref name="param"/> names the request field at fault, which the OpenAI SDKs surface.</summary>
    public static byte[] OpenAIError(string message, string type, string? code, string? param = null) =>
        Write(static (writer, state) => WriteOpenAI(writer, state.message, state.type, state.code, state.param), (message, type, code, param), prefix: [], suffix: []);

    public static byte[] AnthropicError(string type, string message) =>
        Write(static (writer, state) => WriteAnthropic(writer, state.type, state.message), (type, message), prefix: [], suffix: []);

    /// <summary><c>data: {"error":{…}}</c> and a blank line, as an OpenAI-compatible stream reports a failure.</summary>
    public static byte[] OpenAIStreamError(string message, string type, string? code) =>
        Write(static (writer, state) => WriteOpenAI(writer, state.message, state.type, state.code, null), (message, type, code), "data: "u8, "\n\n"u8);

    /// <summary><c>event: error</c> with the Anthropic error body (https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events).</summary>
    public static byte[] AnthropicStreamError(string type, string message) =>
        Write(static (writer, state) => WriteAnthropic(writer, state.type, state.message), (type, message), "event: error\ndata: "u8, "\n\n"u8);

    /// <summary>
    /// <c>response.failed</c> for a Responses stream (https://platform.openai.com/docs/api-reference/responses-streaming/response/failed):
    /// Codex treats a stream that ends without response.completed or response.failed as broken, and reads
    /// <c>error.code</c> from this event.
    /// </summary>
    public static byte[] ResponsesStreamError(string message, string code) =>
        Write(static (writer, state) => WriteResponseFailed(writer, state.message, state.code), (message, code), "event: response.failed\ndata: "u8, "\n\n"u8);

    /// <summary>
    /// The <c>error</c> server event of the Responses WebSocket mode, <c>{"type":"error","status":…,"error":{…}}</c>
    /// (https://platform.openai.com/docs/api-reference/responses/websocket-events): a WebSocket has no status line, so
    /// the HTTP status travels in the event, and so does the Retry-After an HTTP answer would carry, in the event's
    /// <c>headers</c>, which Codex reads as the HTTP error's headers (codex-rs <c>WrappedWebsocketErrorEvent</c>).
    /// </summary>
    public static byte[] ResponsesWebSocketError(int status, string message, string? code, long? retryAfterSeconds = null) =>
        Write(static (writer, state) => WriteWebSocketError(writer, state.status, state.message, state.code, state.retryAfterSeconds),
            (status, message, code, retryAfterSeconds), prefix: [], suffix: []);

    /// <summary>
    /// The Anthropic error type for an HTTP status, per https://docs.anthropic.com/en/api/errors: other 4XX are
    /// invalid_request_error; 503 (like 529) is overload; 504 is timeout_error; other 5XX are api_error.
    /// </summary>
    public static string AnthropicErrorType(int status) => status switch
    {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "api_error",
    };

    /// <summary>
    /// The OpenAI error type for an HTTP status, named as the OpenAI SDKs name their status errors
    /// (https://platform.openai.com/docs/guides/error-codes): other 4XX are invalid_request_error, 5XX server_error.
    /// </summary>
    public static string OpenAIErrorType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "server_error",
    };

    /// <summary>
    /// The OpenAI error type and code for an Anthropic error type (https://docs.anthropic.com/en/api/errors), so an
    /// OpenAI-protocol client on an Anthropic upstream reads what an OpenAI upstream would have said: the codes are
    /// those OpenAI sends and Codex acts on (<c>rate_limit_exceeded</c>, <c>insufficient_quota</c>,
    /// <c>invalid_api_key</c>, <c>server_is_overloaded</c>, and <c>context_length_exceeded</c> for Anthropic's
    /// "prompt is too long" 400 or an Anthropic-compatible vendor's own overflow, by which OpenAI clients and Codex detect
    /// a context overflow); a type Anthropic adds later falls back to the status.
    /// </summary>
    public static (string Type, string? Code) OpenAIErrorFromAnthropic(string? anthropicType, int status, string? anthropicMessage) => anthropicType switch
    {
        "invalid_request_error" when IsContextOverflow(null, anthropicMessage) => ("invalid_request_error", ContextLengthExceeded),
        "invalid_request_error" or "request_too_large" => ("invalid_request_error", null),
        "authentication_error" => ("authentication_error", "invalid_api_key"),
        "permission_error" => ("permission_error", null),
        "not_found_error" => ("not_found_error", null),
        "rate_limit_error" => ("rate_limit_error", "rate_limit_exceeded"),
        "billing_error" => ("insufficient_quota", "insufficient_quota"),
        "overloaded_error" => ("server_error", "server_is_overloaded"),
        "api_error" or "timeout_error" => ("server_error", null),
        _ => (OpenAIErrorType(status), null),
    };

    /// <summary>
    /// The Anthropic error type (https://docs.anthropic.com/en/api/errors) for an OpenAI-shaped error that has no status to
    /// go by, as one inside a stream: its code first, the more precise (OpenAI's rate-limit type is "tokens" or "requests",
    /// https://platform.openai.com/docs/guides/error-codes), then its type. An Anthropic type an OpenAI-compatible vendor
    /// sent as is is kept; anything else is api_error, Anthropic's "unexpected error".
    /// </summary>
    public static string AnthropicErrorTypeFromOpenAI(string? openAIType, string? openAICode) => openAICode switch
    {
        ContextLengthExceeded => "invalid_request_error",
        "invalid_api_key" => "authentication_error",
        "model_not_found" => "not_found_error",
        "rate_limit_exceeded" => "rate_limit_error",
        "insufficient_quota" => "billing_error",
        "server_is_overloaded" or "slow_down" => "overloaded_error",
        _ => openAIType switch
        {
            "tokens" or "requests" => "rate_limit_error",
            "insufficient_quota" => "billing_error",
            "service_unavailable_error" => "overloaded_error",
            "invalid_request_error" or "authentication_error" or "permission_error" or "not_found_error" or "request_too_large"
                or "rate_limit_error" or "billing_error" or "timeout_error" or "overloaded_error" => openAIType,
            _ => "api_error",
        },
    };

    /// <summary>The status of an upstream answer that broke off or was no answer at all.</summary>
    public const int BadGateway = 502;

    /// <summary>OpenAI's code for a prompt over the model's context window (https://platform.openai.com/docs/guides/error-codes).</summary>
    public const string ContextLengthExceeded = "context_length_exceeded";

    /// <summary>
    /// The start of Anthropic's message for a prompt over the context window (400 invalid_request_error,
    /// "prompt is too long: 208310 tokens &gt; 200000 maximum"); Claude Code looks for it in the message to compact.
    /// </summary>
    public const string PromptTooLong = "prompt is too long";

    /// <summary>Whether an Anthropic error message is its context overflow's.</summary>
    public static bool IsPromptTooLong(string? anthropicMessage) =>
        anthropicMessage is not null && anthropicMessage.StartsWith(PromptTooLong, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether an error is a context overflow: OpenAI's code, Anthropic's message, or a vendor's own code or words
    /// (DeepSeek's "maximum context length", GLM's 1261, Kimi's "exceeded model token limit", Qwen's "Range of input
    /// length"; <see cref="VendorErrorSignals"/>).
    /// </summary>
    public static bool IsContextOverflow(string? code, string? message) =>
        VendorErrorSignals.KindOf(code, message) == VendorErrorKind.ContextOverflow;

    /// <summary>The code an OpenAI client gets: <c>context_length_exceeded</c> for any overflow, which Codex compacts on, else the upstream's.</summary>
    public static string? OpenAICode(string? code, string? message) => IsContextOverflow(code, message) ? ContextLengthExceeded : code;

    /// <summary>
    /// The message an Anthropic client gets for an upstream error: an overflow, whoever words it, reads as Anthropic's
    /// ("prompt is too long: …"), so Claude Code compacts as it does on Anthropic's own.
    /// </summary>
    public static string AnthropicMessageFromOpenAI(string? openAICode, string message) =>
        IsContextOverflow(openAICode, message) && !IsPromptTooLong(message) ? $"{PromptTooLong}: {message}" : message;

    private static void WriteOpenAI(Utf8JsonWriter writer, string message, string type, string? code, string? param)
    {
        writer.WriteStartObject();
        WriteOpenAIErrorObject(writer, message, type, code, param);
        writer.WriteEndObject();
    }

    private static void WriteWebSocketError(Utf8JsonWriter writer, int status, string message, string? code, long? retryAfterSeconds)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteNumber("status"u8, status);
        WriteOpenAIErrorObject(writer, message, OpenAIErrorType(status), code, null);
        if (retryAfterSeconds is { } seconds)
        {
            writer.WriteStartObject("headers"u8);
            writer.WriteString("retry-after"u8, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static void WriteOpenAIErrorObject(Utf8JsonWriter writer, string message, string type, string? code, string? param)
    {
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, message);
        writer.WriteString("type"u8, type);
        writer.WriteString("param"u8, param);
        if (code is null)
        {
            writer.WriteNull("code"u8);
        }
        else
        {
            writer.WriteString("code"u8, code);
        }

        writer.WriteEndObject();
    }

    private static void WriteResponseFailed(Utf8JsonWriter writer, string message, string code)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "response.failed"u8);
        writer.WriteStartObject("response"u8);
        writer.WriteString("object"u8, "response"u8);
        writer.WriteString("status"u8, "failed"u8);
        writer.WriteStartObject("error"u8);
        writer.WriteString("code"u8, code);
        writer.WriteString("message"u8, message);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteAnthropic(Utf8JsonWriter writer, string type, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteStartObject("error"u8);
        writer.WriteString("type"u8, type);
        writer.WriteString("message"u8, message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static byte[] Write<TState>(Action<Utf8JsonWriter, TState> write, TState state, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> suffix)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(prefix);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer, state);
        }

        buffer.Write(suffix);
        return buffer.WrittenSpan.ToArray();
    }
}
