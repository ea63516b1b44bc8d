namespace Keyway.Upstreams;

/// <summary>
/// One place a provider is called: the protocol spoken there and its base URL. The provider's main endpoint
/// (<c>base_url</c> + <c>protocol</c>) honours a key's own base URL; a native endpoint does not, because a key's
/// override names a reseller's copy of the main endpoint, not of the vendor's other protocols.
/// </summary>
public sealed record UpstreamEndpoint(UpstreamProtocol Protocol, string BaseUrl, bool IsMain)
{
    /// <summary>
    /// Keyway's URL convention: OpenAI-protocol base URLs already end in the API version
    /// ("https://api.deepseek.com/v1"), Anthropic-protocol ones do not ("https://api.deepseek.com/anthropic").
    /// </summary>
    public Uri UriFor(string path, UpstreamKey key) =>
        new(((IsMain ? key.BaseUrl : null) ?? BaseUrl).TrimEnd('/') + "/" + path.TrimStart('/'));
}
