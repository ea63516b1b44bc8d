using System.Net.Http.Headers;
using Keyway.Security;

namespace Keyway.Gateway;

/// <summary>Copies an upstream's response headers to the client, minus hop-by-hop and framing headers Kestrel owns.</summary>
internal static class ResponseHeaders
{
    private static readonly HashSet<string> NotRelayed = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
        "content-length", "server", "date", "set-cookie", "alt-svc", "strict-transport-security",
    };

    private const string ContentEncoding = "content-encoding";

    /// <summary>
    /// The values go as the upstream sent them, but for any of the attempt's <paramref name="secrets"/> in them (an
    /// upstream echoing Authorization): the headers are read unvalidated (as YARP does), since enumerating the validated
    /// view parses every value, which was 2% of a relayed stream's CPU; only the relayed ones are searched.
    /// Content-Encoding goes only with <paramref name="bytesAsSent"/> (a binary body copied untouched): Keyway asks for
    /// no encoding (it sends no Accept-Encoding), and a JSON or event-stream answer is read as plain bytes (judged,
    /// translated, repaired), so an upstream's header there is false (a plain body the client would fail to decode) or
    /// describes bytes that failed the answer's checks and never reach the client.
    /// </summary>
    public static void Copy(HttpResponseMessage upstream, HttpResponse client, SecretScrubber secrets, bool bytesAsSent = false)
    {
        Copy(upstream.Headers.NonValidated, client.Headers, secrets, bytesAsSent);
        Copy(upstream.Content.Headers.NonValidated, client.Headers, secrets, bytesAsSent);
    }

    private static void Copy(HttpHeadersNonValidated upstream, IHeaderDictionary client, SecretScrubber secrets, bool bytesAsSent)
    {
        foreach (var (name, values) in upstream)
        {
            if (!NotRelayed.Contains(name) && (bytesAsSent || !name.Equals(ContentEncoding, StringComparison.OrdinalIgnoreCase)))
            {
                client[name] = values.Count == 1 ? secrets.ScrubHeader(values.ToString()) : Array.ConvertAll(values.ToArray(), secrets.ScrubHeader);
            }
        }
    }

    /// <summary>Whether the upstream answered with an event stream (its first Content-Type value, read unvalidated).</summary>
    public static bool IsEventStream(HttpResponseMessage response)
    {
        if (!response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values))
        {
            return false;
        }
        using var value = values.GetEnumerator();
        return value.MoveNext() && IsEventStream(value.Current);
    }

    /// <summary>
    /// Whether a Content-Type value is <c>text/event-stream</c>: its media type, before any parameters, in any case (media
    /// types are case-insensitive, RFC 9110 §8.3.1; a parsed <c>MediaType</c> keeps the sender's case).
    /// </summary>
    public static bool IsEventStream(string? contentType)
    {
        var mediaType = contentType.AsSpan();
        var parameters = mediaType.IndexOf(';');
        return (parameters < 0 ? mediaType : mediaType[..parameters]).Trim().Equals("text/event-stream", StringComparison.OrdinalIgnoreCase);
    }
}
