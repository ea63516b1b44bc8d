namespace Keyway.Gateway;

/// <summary>Copies an upstream's response headers to the client, minus hop-by-hop and framing headers Kestrel owns.</summary>
internal static class ResponseHeaders
{
    private static readonly HashSet<string> NotRelayed = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
        "content-length", "server", "date", "set-cookie", "alt-svc", "strict-transport-security",
    };

    public static void Copy(HttpResponseMessage upstream, HttpResponse client)
    {
        foreach (var (name, values) in upstream.Headers)
        {
            if (!NotRelayed.Contains(name))
            {
                client.Headers[name] = values.ToArray();
            }
        }
        foreach (var (name, values) in upstream.Content.Headers)
        {
            if (!NotRelayed.Contains(name))
            {
                client.Headers[name] = values.ToArray();
            }
        }
    }

    public static bool IsEventStream(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is "text/event-stream";
}
