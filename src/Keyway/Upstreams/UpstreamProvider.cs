namespace Keyway.Upstreams;

/// <summary>One upstream key with its secret decrypted once, when the routing table was built.</summary>
public sealed record UpstreamKey(string KeyId, string Name, string Secret);

/// <summary>A provider as the data plane uses it: where to call, how to authenticate, how long to wait.</summary>
public sealed record UpstreamProvider(
    string ProviderId,
    string GroupId,
    string Name,
    UpstreamProtocol Protocol,
    string BaseUrl,
    TimeSpan Timeout,
    IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders,
    IReadOnlyList<UpstreamKey> Keys)
{
    /// <summary>
    /// Keyway's URL convention: OpenAI-protocol base URLs already end in the API version
    /// ("https://api.deepseek.com/v1"), Anthropic-protocol ones do not ("https://api.anthropic.com").
    /// </summary>
    public Uri EndpointUri(string path) => new(BaseUrl.TrimEnd('/') + "/" + path.TrimStart('/'));
}
