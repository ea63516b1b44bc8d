using System.Net.Http.Headers;

namespace Keyway.Gateway;

/// <summary>Copies an upstream's response headers to the client, minus hop-by-hop and framing headers Kestrel owns.</summary>
internal static class ResponseHeaders
{
    private static readonly HashSet<string> NotRelayed = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
        "content-length", "server", "date", "set-cookie", "alt-svc", "strict-transport-security",
    };

    /// <summary>
    /// The values go as the upstream sent them: the headers are read unvalidated (as YARP does), since enumerating the
    /// validated view parses every value, which was 2% of a relayed stream's CPU.
    /// </summary>
    public static void Copy(HttpResponseMessage upstream, HttpResponse client)
    {
        Copy(upstream.Headers.NonValidated, client.Headers);
        Copy(upstream.Content.Headers.NonValidated, client.Headers);
    }

    private static void Copy(HttpHeadersNonValidated upstream, IHeaderDictionary client)
    {
        foreach (var (name, values) in upstream)
        {
            if (!NotRelayed.Contains(name))
            {
                client[name] = values.Count == 1 ? values.ToString() : values.ToArray();
            }
        }
    }

    public static bool IsEventStream(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is "text/event-stream";
}
