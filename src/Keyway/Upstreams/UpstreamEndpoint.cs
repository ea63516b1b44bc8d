namespace Keyway.Upstreams;

/// <summary>
/// One place a provider is called: the protocol spoken there and its base URL. The provider's main endpoint
/// (<c>base_url</c> + <c>protocol</c>) honours a key's own base URL. Such a key never serves a native endpoint
/// (<see cref="KeyPool"/>): its base URL names a reseller's copy of the main endpoint, and its secret is not the
/// vendor's, so at the vendor's other base URL it would only be refused (and cool down for it) after being shown to a
/// host it was never meant for.
/// </summary>
public sealed record UpstreamEndpoint(UpstreamProtocol Protocol, string BaseUrl, bool IsMain)
{
    // The last URL built on this thread. Calls to one route ask for the same URL again and again: parsing it anew for
    // each, and HttpClient then working out its host and path on the fresh Uri, was ~1.7% of the CPU of a proxied call
    // (bench/RESULTS.md). A Uri is immutable and safe to share between requests.
    [ThreadStatic]
    private static BuiltUri? t_last;

    /// <summary>
    /// Keyway's URL convention: OpenAI-protocol base URLs already end in the API version
    /// ("https://api.deepseek.com/v1"), Anthropic-protocol ones do not ("https://api.deepseek.com/anthropic").
    /// </summary>
    public Uri UriFor(string path, UpstreamKey key)
    {
        var baseUrl = (IsMain ? key.BaseUrl : null) ?? BaseUrl;
        if (t_last is { } last && string.Equals(last.BaseUrl, baseUrl, StringComparison.Ordinal) && string.Equals(last.Path, path, StringComparison.Ordinal))
        {
            return last.Uri;
        }
        var uri = new Uri(baseUrl.TrimEnd('/') + "/" + path.TrimStart('/'));
        t_last = new BuiltUri(baseUrl, path, uri);
        return uri;
    }

    private sealed record BuiltUri(string BaseUrl, string Path, Uri Uri);
}
