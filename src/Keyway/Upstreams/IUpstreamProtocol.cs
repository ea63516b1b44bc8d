namespace Keyway.Upstreams;

/// <summary>What differs between upstream protocols when Keyway calls them.</summary>
public interface IUpstreamProtocol
{
    UpstreamProtocol Protocol { get; }

    /// <summary>The chat endpoint below the provider's base URL.</summary>
    string ChatPath { get; }

    /// <summary>The header carrying the upstream key when the provider names none (one of <see cref="UpstreamAuthHeader.Names"/>).</summary>
    string AuthHeader { get; }

    /// <summary>
    /// Sets the protocol's own headers besides the key (<see cref="UpstreamAuthHeader.For"/> writes that); the client's key
    /// is never forwarded. None by default: the OpenAI protocols have no header besides the key's.
    /// </summary>
    void ApplyHeaders(HttpRequestMessage request, IHeaderDictionary clientHeaders)
    {
    }
}
