using System.Net.Http.Headers;
using System.Text;

namespace Keyway.Upstreams;

/// <summary>
/// Classifies an upstream answer or exception. Both protocols share the HTTP status rules (OpenAI and
/// Anthropic both use 401/403 for credentials, 429 for rate limits, 529/5xx for overload); the body is read
/// only for a quota hint and for the model's name, which makes a failure model-scoped.
/// </summary>
public static class UpstreamFailureClassifier
{
    private static readonly string[] QuotaHints = ["insufficient_quota", "quota", "credit", "billing", "balance"];

    public static FailureClass ClassOf(int status, ReadOnlySpan<byte> body) => status switch
    {
        401 or 403 => FailureClass.Credential,
        402 => FailureClass.Quota,
        429 when MentionsAny(body, QuotaHints) => FailureClass.Quota,
        429 => FailureClass.RateLimit,
        408 => FailureClass.Transient,
        >= 400 and < 500 => FailureClass.CallerFault,
        >= 500 => FailureClass.Transient,
        _ => FailureClass.Unknown,
    };

    /// <summary>A failed answer: its class, Retry-After and whether the body names <paramref name="upstreamModel"/>.</summary>
    public static UpstreamFailure FromResponse(
        int status, HttpResponseHeaders headers, ReadOnlySpan<byte> body, string upstreamModel, string message, DateTimeOffset now)
    {
        var failureClass = ClassOf(status, body);
        var modelScoped = failureClass.IsPerKey() && upstreamModel.Length > 0 && MentionsAny(body, [upstreamModel]);
        return new UpstreamFailure(failureClass, status, RetryAfter(headers, now), modelScoped, message);
    }

    /// <summary>No answer at all: refused connection, broken TLS, or no headers within the timeout.</summary>
    public static UpstreamFailure FromException(int status, string message) =>
        new(FailureClass.Transient, status, null, false, message);

    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var retryAfter = headers.RetryAfter;
        var delay = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - now : null);
        return delay is { } value && value > TimeSpan.Zero ? value : null;
    }

    private static bool MentionsAny(ReadOnlySpan<byte> body, string[] needles)
    {
        if (body.IsEmpty)
        {
            return false;
        }
        var text = Encoding.UTF8.GetString(body.Length > 4096 ? body[..4096] : body);
        foreach (var needle in needles)
        {
            if (text.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
