namespace Keyway.Upstreams;

/// <summary>
/// One upstream key with its secret decrypted once, when the routing table was built. <paramref name="Models"/>
/// limits the key to those upstream models (empty: any); <paramref name="BaseUrl"/> overrides the provider's.
/// </summary>
public sealed record UpstreamKey(string KeyId, string Name, string Secret, IReadOnlyList<string> Models, string? BaseUrl = null)
{
    public bool Serves(string upstreamModel) => Models.Count == 0 || Models.Contains(upstreamModel, StringComparer.Ordinal);
}

/// <summary>A provider as the data plane uses it: where to call, how to authenticate, how long to wait, how to pick keys.</summary>
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
    public KeyRoutingMode RoutingMode { get; init; } = KeyRoutingMode.RoundRobin;

    public FailoverPolicy Policy { get; init; } = FailoverPolicy.Default;

    /// <summary>
    /// Keyway's URL convention: OpenAI-protocol base URLs already end in the API version
    /// ("https://api.deepseek.com/v1"), Anthropic-protocol ones do not ("https://api.anthropic.com").
    /// A key with its own base URL (a reseller's endpoint for the same model) is called there instead.
    /// </summary>
    public Uri EndpointUri(string path, UpstreamKey? key = null) =>
        new((key?.BaseUrl ?? BaseUrl).TrimEnd('/') + "/" + path.TrimStart('/'));
}

/// <summary>One place a route can be served: a provider and the model name it knows the route by.</summary>
public sealed record RouteTarget(UpstreamProvider Provider, string UpstreamModel);
