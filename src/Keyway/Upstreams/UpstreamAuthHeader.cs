namespace Keyway.Upstreams;

/// <summary>
/// A provider's <c>auth_header</c>: the header that carries its upstream key when the vendor does not take its protocol's
/// own (Bearer for OpenAI, <c>x-api-key</c> for Anthropic). The Anthropic endpoints of OpenRouter, GLM, Kimi, MiniMax and
/// Volcengine Ark document <c>Authorization: Bearer</c> (Claude Code's <c>ANTHROPIC_AUTH_TOKEN</c>; OpenRouter: "set
/// ANTHROPIC_AUTH_TOKEN … ANTHROPIC_API_KEY must be explicitly empty",
/// https://openrouter.ai/docs/guides/coding-agents/claude-code-integration); Azure OpenAI takes <c>api-key</c>.
/// </summary>
public static class UpstreamAuthHeader
{
    public const string Bearer = "bearer";
    public const string XApiKey = "x-api-key";
    public const string ApiKey = "api-key";

    /// <summary>The values a provider may name, as stored.</summary>
    public static readonly string[] Names = [Bearer, XApiKey, ApiKey];

    /// <summary>Header names that carry an upstream key: a provider's extra header may not set them (its auth_header does).</summary>
    public static bool Carries(string headerName) =>
        headerName.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || headerName.Equals(XApiKey, StringComparison.OrdinalIgnoreCase)
        || headerName.Equals(ApiKey, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The one header that carries the upstream key to the provider, for an HTTP call and the Responses WebSocket
    /// handshake alike: in the provider's <paramref name="authHeader"/>, or null: in its protocol's own.
    /// </summary>
    public static KeyValuePair<string, string> For(string? authHeader, IUpstreamProtocol protocol, string secret) =>
        (authHeader ?? protocol.AuthHeader) switch
        {
            Bearer => new("Authorization", "Bearer " + secret),
            var name => new(name, secret),
        };
}
