using System.Net.Http.Headers;
using System.Text;
using Keyway.Protocols;

namespace Keyway.Upstreams;

/// <summary>
/// Classifies an upstream answer or exception. Both protocols share the HTTP status rules (OpenAI and
/// Anthropic both use 401/403 for credentials, 429 for rate limits, 529/5xx for overload); the body's head is read for
/// a vendor's own signal (<see cref="VendorErrorSignals"/>: a balance or arrears code is the key's quota whatever status
/// carries it, DashScope's <c>Throttling.*</c> a rate limit, OpenRouter's flagged input on a 403 the caller's fault), for
/// a 429's quota hint, and for the model's name, which makes a failure model-scoped.
/// </summary>
public static class UpstreamFailureClassifier
{
    /// <summary>OpenAI's and others' English words for a used-up credit; read on a 429 only, where no rate limit says them.</summary>
    private static readonly string[] QuotaHints = ["insufficient_quota", "quota", "credit", "billing", "balance"];

    public static FailureClass ClassOf(int status, ReadOnlySpan<byte> body) => ClassOf(status, Head(body));

    private static FailureClass ClassOf(int status, string head) => ClassOf(status, status >= 400 ? VendorErrorSignals.KindOf(head) : VendorErrorKind.None, head);

    private static FailureClass ClassOf(int status, VendorErrorKind kind, string head) => (status, kind) switch
    {
        (403, VendorErrorKind.InputFlagged) => FailureClass.CallerFault,
        (_, VendorErrorKind.RateLimit) => FailureClass.RateLimit,
        (_, VendorErrorKind.Quota) => FailureClass.Quota,
        (_, VendorErrorKind.Credential) => FailureClass.Credential,
        (401 or 403, _) => FailureClass.Credential,
        (402, _) => FailureClass.Quota,
        (429, _) when MentionsAny(head, QuotaHints) => FailureClass.Quota,
        (429, _) => FailureClass.RateLimit,
        (408, _) => FailureClass.Transient,
        ( >= 400 and < 500, _) => FailureClass.CallerFault,
        ( >= 500, _) => FailureClass.Transient,
        _ => FailureClass.Unknown,
    };

    /// <summary>A failed answer: its class, Retry-After and whether the body names <paramref name="upstreamModel"/>.</summary>
    public static UpstreamFailure FromResponse(
        int status, HttpResponseHeaders headers, ReadOnlySpan<byte> body, string upstreamModel, string message, DateTimeOffset now)
    {
        var head = Head(body);
        var failureClass = ClassOf(status, head);
        var modelScoped = failureClass.IsPerKey() && upstreamModel.Length > 0 && NamesModel(head, upstreamModel);
        return new UpstreamFailure(failureClass, status, RetryAfter(headers, now), modelScoped, message);
    }

    /// <summary>An error event of a stream (a WebSocket's <c>error</c> or <c>response.failed</c>) carrying an HTTP status.</summary>
    public static UpstreamFailure FromEvent(int status, ReadOnlySpan<byte> body, string message) =>
        new(ClassOf(status, Head(body)), status, null, false, message);

    /// <summary>
    /// A 200 whose body reports a failure in the vendor's own status code (<see cref="VendorStatusInBody"/>): classed by
    /// what the code names (<see cref="VendorErrorSignals.KindOfStatusInBody"/>), with the status that failure would have
    /// had — 429 for a rate limit, 402 for the balance, 401 for a refused key, else 502, an upstream error.
    /// </summary>
    public static UpstreamFailure FromStatusInBody(VendorStatusInBody.Failure failure, string message)
    {
        var kind = VendorErrorSignals.KindOfStatusInBody(failure.Code);
        var status = kind switch
        {
            VendorErrorKind.RateLimit => 429,
            VendorErrorKind.Quota => 402,
            VendorErrorKind.Credential => 401,
            _ => 502,
        };
        return new UpstreamFailure(ClassOf(status, kind, ""), status, null, false, message);
    }

    /// <summary>No answer at all: refused connection, broken TLS, or no headers within the timeout.</summary>
    public static UpstreamFailure FromException(int status, string message) =>
        new(FailureClass.Transient, status, null, false, message);

    /// <summary>
    /// A WebSocket handshake the upstream answered with an HTTP error instead of 101: its status and Retry-After (the body
    /// is not read by the socket client), classified as an HTTP answer with that status is.
    /// </summary>
    public static UpstreamFailure FromHandshake(int status, IReadOnlyDictionary<string, IEnumerable<string>>? headers, string message, DateTimeOffset now)
    {
        var retryAfter = headers?.FirstOrDefault(header => header.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault() is { } value && RetryConditionHeaderValue.TryParse(value, out var parsed)
            ? parsed
            : null;
        return new UpstreamFailure(ClassOf(status, ""), status, RetryAfter(retryAfter, now), false, message);
    }

    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now) => RetryAfter(headers.RetryAfter, now);

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        var delay = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - now : null);
        return delay is { } value && value > TimeSpan.Zero ? value : null;
    }

    private static bool MentionsAny(string text, string[] needles)
    {
        foreach (var needle in needles)
        {
            if (text.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether the body names <paramref name="model"/> as a name of its own, not inside a word or a longer model name:
    /// model <c>m</c> is not named by "rate limited", <c>o1</c> not by "o1-mini", <c>gpt-4o</c> not by "gpt-4o-mini";
    /// "model 'gpt-4o' is overloaded" and "gpt-4o." do name it.
    /// </summary>
    internal static bool NamesModel(ReadOnlySpan<byte> body, string model) => NamesModel(Head(body), model);

    private static bool NamesModel(string text, string model)
    {
        for (var at = text.IndexOf(model, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(model, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + model.Length;
            if ((at == 0 || !ContinuesName(text, at - 1)) && (end == text.Length || !ContinuesName(text, end)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A character that would make a model name longer: letters, digits, '-', '_', and a '.' between two of them.</summary>
    private static bool ContinuesName(string text, int index) => text[index] switch
    {
        '-' or '_' => true,
        '.' => index + 1 < text.Length && char.IsLetterOrDigit(text[index + 1]) && index > 0 && char.IsLetterOrDigit(text[index - 1]),
        var c => char.IsLetterOrDigit(c),
    };

    private static string Head(ReadOnlySpan<byte> body) =>
        body.IsEmpty ? "" : Encoding.UTF8.GetString(body.Length > VendorErrorSignals.HeadBytes ? body[..VendorErrorSignals.HeadBytes] : body);
}
