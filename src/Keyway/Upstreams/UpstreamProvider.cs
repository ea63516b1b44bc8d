using Keyway.Protocols;
using Keyway.Protocols.Translation;

namespace Keyway.Upstreams;

/// <summary>
/// One upstream key with its secret decrypted once, when the routing table was built. <paramref name="Models"/>
/// limits the key to those upstream models (empty: any); <paramref name="BaseUrl"/> overrides the provider's main base URL.
/// </summary>
public sealed record UpstreamKey(string KeyId, string Name, string Secret, IReadOnlyList<string> Models, string? BaseUrl = null)
{
    /// <summary>Visitor keys may be served by this key.</summary>
    public bool AllowVisitor { get; init; }

    /// <summary>
    /// Requests that may be in flight on the key at once (streams until they end), over the instances sharing a
    /// PostgreSQL database as last exchanged (<see cref="KeyHealth.OthersInFlight"/>); null: no limit.
    /// </summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>The key's own base URLs for protocols other than its provider's main one (<see cref="UpstreamEndpoint.BaseUrlFor"/>).</summary>
    public IReadOnlyList<UpstreamEndpoint> NativeEndpoints { get; init; } = [];

    public bool Serves(string upstreamModel) => Models.Count == 0 || Models.Contains(upstreamModel, StringComparer.Ordinal);

    /// <summary>The key's own base URL for <paramref name="protocol"/>; null when it has none.</summary>
    public string? NativeBaseUrl(UpstreamProtocol protocol)
    {
        foreach (var endpoint in NativeEndpoints)
        {
            if (endpoint.Protocol == protocol)
            {
                return endpoint.BaseUrl;
            }
        }
        return null;
    }
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

    /// <summary>The credentials among <see cref="ExtraHeaders"/>, masked wherever an upstream echoes them.</summary>
    public Security.HeaderSecrets HeaderSecrets { get; } = Security.HeaderSecrets.Of(ExtraHeaders);

    public FailoverPolicy Policy { get; init; } = FailoverPolicy.Default;

    /// <summary>
    /// The provider's endpoints in protocols other than its main one (a vendor serving both OpenAI and Anthropic
    /// at different base URLs), and those only some keys have their own base URL for (a null base URL); a client whose
    /// protocol is among them is passed through there untranslated, by the keys that can call it.
    /// </summary>
    public IReadOnlyList<UpstreamEndpoint> NativeEndpoints { get; init; } = [];

    /// <summary>The provider serves the Responses WebSocket mode (<c>GET {base_url}/responses</c> with an upgrade).</summary>
    public bool Websocket { get; init; }

    /// <summary>How the vendor switches thinking on a Chat request Keyway writes or passes on (<see cref="ChatThinkingSwitch"/>).</summary>
    public ChatThinkingSwitch ThinkingSwitch { get; init; }

    /// <summary>The header carrying the upstream key (<see cref="UpstreamAuthHeader"/>); null: the protocol's own.</summary>
    public string? AuthHeader { get; init; }

    /// <summary>
    /// Whether a request translated for its Chat endpoint replays assistant turns' reasoning; null: the rule for the host
    /// (<see cref="UpstreamEndpoint.TakesReasoningContent"/>), which a self-hosted or resold model's host cannot tell.
    /// </summary>
    public bool? ReasoningReplay { get; init; }

    /// <summary>
    /// Whether a request translated for its Chat endpoint asks MiniMax's <c>reasoning_split</c> and replays reasoning as
    /// <c>reasoning_details</c>; null: the rule for the host (<see cref="UpstreamEndpoint.SplitsReasoning"/>, MiniMax's own
    /// API), which a reseller or proxy passing MiniMax's API on under its own host cannot be told by.
    /// </summary>
    public bool? ReasoningSplit { get; init; }

    /// <summary>Where <c>base_url</c> + <c>protocol</c> point; a key with its own base URL is called there instead.</summary>
    public UpstreamEndpoint MainEndpoint => new(Protocol, BaseUrl, IsMain: true);

    /// <summary>
    /// Whether <paramref name="key"/> is the one key of the pool that can serve <paramref name="upstreamModel"/> (under
    /// only_first, the first key is the only one ever called): no other key could take its requests while it cooled down.
    /// </summary>
    public bool IsSoleKeyFor(UpstreamKey key, string upstreamModel)
    {
        if (RoutingMode == KeyRoutingMode.OnlyFirst)
        {
            return true;
        }
        foreach (var other in Keys)
        {
            if (other.KeyId != key.KeyId && other.Serves(upstreamModel))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether some key of the pool can call <paramref name="endpoint"/>.</summary>
    public bool AnyKeyCalls(UpstreamEndpoint endpoint)
    {
        foreach (var key in Keys)
        {
            if (endpoint.BaseUrlFor(key) is not null)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The native endpoint speaking <paramref name="wire"/> when the provider has one, else the main endpoint.</summary>
    public UpstreamEndpoint EndpointFor(WireFormat wire)
    {
        foreach (var endpoint in NativeEndpoints)
        {
            if (endpoint.Protocol.Wire() == wire)
            {
                return endpoint;
            }
        }
        return MainEndpoint;
    }
}

/// <summary>One place a route can be served: a provider and the model name it knows the route by.</summary>
public sealed record RouteTarget(UpstreamProvider Provider, string UpstreamModel);
