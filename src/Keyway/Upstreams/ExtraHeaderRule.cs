using System.Collections.Frozen;

namespace Keyway.Upstreams;

/// <summary>
/// How a provider's extra headers reach the upstream, the same for an HTTP call and the Responses WebSocket handshake:
/// the provider's header replaces the client's of the same name (<c>anthropic-beta</c> for an upstream that refuses some
/// betas: "Unexpected value(s) … for the anthropic-beta header"), an empty value keeps the header from the upstream
/// altogether, and the upstream key's authentication is never replaced.
/// </summary>
internal static class ExtraHeaderRule
{
    /// <summary>
    /// Names the HTTP client writes for each request: connection and framing headers (a value of a provider's would
    /// break or smuggle the request) and the body's own headers, which .NET refuses on a request ("Misused header name":
    /// every call to the provider failed with a bare 500). Proxy-* headers are the client's business with its proxy too.
    /// </summary>
    private static readonly FrozenSet<string> Owned = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Host", "Connection", "Upgrade", "Expect", "Transfer-Encoding", "Keep-Alive", "TE", "Trailer",
        "Content-Length", "Content-Type", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5",
        "Content-Range", "Content-Disposition", "Allow", "Expires", "Last-Modified");

    /// <summary>Whether a provider may not have an extra header of this name (refused by the admin API, skipped if stored).</summary>
    public static bool IsRefused(string name) => Owned.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Applies <paramref name="extraHeaders"/> to <paramref name="headers"/> being built, through the collection's own remove
    /// and add (static lambdas: nothing is allocated on a request's path).
    /// </summary>
    public static void Apply<THeaders>(
        IReadOnlyList<KeyValuePair<string, string>> extraHeaders, THeaders headers, Action<THeaders, string> remove, Action<THeaders, string, string> add)
    {
        foreach (var (name, value) in extraHeaders)
        {
            if (UpstreamAuthHeader.Carries(name))
            {
                continue;
            }
            remove(headers, name);
            if (value.Length > 0)
            {
                add(headers, name, value);
            }
        }
    }
}
