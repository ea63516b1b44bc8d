namespace Keyway.Upstreams;

/// <summary>What differs between upstream protocols when Keyway calls them.</summary>
public interface IUpstreamProtocol
{
    UpstreamProtocol Protocol { get; }

    /// <summary>The chat endpoint below the provider's base URL.</summary>
    string ChatPath { get; }

    /// <summary>Sets the upstream's own authentication and protocol headers; the client's key is never forwarded.</summary>
    void ApplyHeaders(HttpRequestMessage request, UpstreamKey key, IHeaderDictionary clientHeaders);
}
