namespace Keyway.Upstreams;

/// <summary>
/// Anthropic-protocol upstreams: x-api-key auth, {base_url}/v1/messages. The client's
/// anthropic-version and anthropic-beta pass through unchanged (Claude Code relies on its betas);
/// a version is required by Anthropic, so the documented default is sent when the client had none.
/// </summary>
public sealed class AnthropicUpstream : IUpstreamProtocol
{
    public const string DefaultVersion = "2023-06-01";

    public static AnthropicUpstream Instance { get; } = new();

    public UpstreamProtocol Protocol => UpstreamProtocol.Anthropic;

    public string ChatPath => "v1/messages";

    public string AuthHeader => UpstreamAuthHeader.XApiKey;

    public void ApplyHeaders(HttpRequestMessage request, IHeaderDictionary clientHeaders)
    {
        var version = clientHeaders["anthropic-version"];
        request.Headers.TryAddWithoutValidation("anthropic-version", version.Count > 0 ? version.ToString() : DefaultVersion);
        var betas = clientHeaders["anthropic-beta"];
        if (betas.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("anthropic-beta", (IEnumerable<string?>)betas);
        }
    }
}
