using System.Text;
using Keyway.Protocols.Anthropic;

namespace Keyway.Gateway;

/// <summary>
/// count_tokens for a provider that cannot count (OpenAI protocol): an o200k_base estimate of the
/// request (see TokenEstimator), marked by the `x-keyway-token-estimate` header so callers can tell. A client that leaves
/// stops the count (<see cref="OperationCanceledException"/>).
/// </summary>
internal static class TokenEstimateResponse
{
    public const string EstimateHeader = "x-keyway-token-estimate";

    public static async Task WriteAsync(ProxyExchange exchange, ReadOnlyMemory<byte> requestBody)
    {
        var tokens = TokenEstimator.CountInputTokens(requestBody.Span, exchange.Aborted);
        var response = exchange.Context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.Headers[EstimateHeader] = "o200k_base";
        exchange.StatusCode = StatusCodes.Status200OK;
        var body = Encoding.UTF8.GetBytes($$"""{"input_tokens":{{tokens}}}""");
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, exchange.Aborted);
    }
}
