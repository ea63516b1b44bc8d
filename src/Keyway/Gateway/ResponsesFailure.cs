using System.Runtime.InteropServices;
using System.Text.Json;
using Keyway.Protocols;

namespace Keyway.Gateway;

/// <summary>
/// A Responses stream's <c>response.failed</c> (https://platform.openai.com/docs/api-reference/responses-streaming/response/failed),
/// judged by its <c>response.error.code</c>: the server's failure, a rate limit, a quota or an overload is the key's or the
/// upstream's and another attempt may answer; any other code (an invalid prompt or image) is the request's, which every
/// key would refuse alike, so it is the answer.
/// </summary>
internal static class ResponsesFailure
{
    /// <summary>
    /// The failure's message (as <see cref="UpstreamErrorMessage.ErrorObjectMessage"/> reads the response's <c>error</c>)
    /// when another key or target may answer; null when the failure is the request's.
    /// </summary>
    public static string? RetryableMessage(ReadOnlySpan<byte> data, int maxChars)
    {
        try
        {
            using var document = JsonDocument.Parse(data.ToArray());
            return document.RootElement.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
                && response.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && IsRetryable(code.GetString()!)
                ? UpstreamErrorMessage.ErrorObjectMessage(JsonMarshal.GetRawUtf8Value(response), maxChars)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>OpenAI's codes of a failure that is not the request's, and the overload codes Codex reads (<c>server_is_overloaded</c>, <c>slow_down</c>).</summary>
    private static bool IsRetryable(string code) =>
        code is "server_error" or "rate_limit_exceeded" or "insufficient_quota" or "server_is_overloaded" or "slow_down" or "vector_store_timeout";
}
