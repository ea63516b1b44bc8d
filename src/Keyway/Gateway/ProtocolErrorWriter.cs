using Keyway.Protocols;

namespace Keyway.Gateway;

/// <summary>
/// Turns an error into the caller's own protocol: OpenAI {"error":{…}} or Anthropic
/// {"type":"error","error":{…}} before the response starts, the protocol's SSE error event after.
/// </summary>
internal static class ProtocolErrorWriter
{
    public static Task WriteAsync(HttpContext context, ClientProtocol protocol, int status, string message, string? code = null, string? param = null) =>
        WriteBodyAsync(context, status, Body(protocol, status, message, code, param));

    /// <summary>
    /// OpenAI's 404 for a model or a response it does not have: its type is <c>invalid_request_error</c>, not the
    /// <c>not_found_error</c> Keyway's own 404s carry.
    /// </summary>
    public static Task WriteOpenAINotFoundAsync(HttpContext context, string message, string? code = null, string? param = null) =>
        WriteBodyAsync(context, StatusCodes.Status404NotFound, ProtocolErrors.OpenAIError(message, "invalid_request_error", code, param));

    private static Task WriteBodyAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>The error body in the caller's protocol, its type following from <paramref name="status"/>.</summary>
    public static byte[] Body(ClientProtocol protocol, int status, string message, string? code = null, string? param = null) =>
        protocol == ClientProtocol.AnthropicMessages
            ? ProtocolErrors.AnthropicError(ProtocolErrors.AnthropicErrorType(status), message)
            : ProtocolErrors.OpenAIError(message, ProtocolErrors.OpenAIErrorType(status), code, param);

    public static byte[] StreamEvent(ClientProtocol protocol, int status, string message) => protocol switch
    {
        ClientProtocol.AnthropicMessages => ProtocolErrors.AnthropicStreamError(ProtocolErrors.AnthropicErrorType(status), message),
        ClientProtocol.OpenAIResponses => ProtocolErrors.ResponsesStreamError(message, ProtocolErrors.OpenAIErrorType(status)),
        _ => ProtocolErrors.OpenAIStreamError(message, ProtocolErrors.OpenAIErrorType(status), null),
    };
}
