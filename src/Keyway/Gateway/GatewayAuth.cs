using Keyway.Security;

namespace Keyway.Gateway;

/// <summary>
/// Authenticates a data-plane call by the SHA-256 of the presented key, looked up in the
/// in-memory routing table. Accepts `Authorization: Bearer db_sk_…` (OpenAI SDKs,
/// ANTHROPIC_AUTH_TOKEN) and `x-api-key: db_sk_…` (Anthropic SDKs, ANTHROPIC_API_KEY).
/// </summary>
internal static class GatewayAuth
{
    public readonly record struct Outcome(IssuedKeyEntry? Key, string? Error);

    public static Outcome Authenticate(HttpRequest request, RoutingTable table, DateTimeOffset now)
    {
        var presented = PresentedKey(request);
        if (presented is null)
        {
            return new(null, GatewayMessages.MissingAuthorization);
        }
        if (!table.TryGetKey(IssuedKeys.Hash(presented), out var key))
        {
            return new(null, GatewayMessages.InvalidKey);
        }
        return key.ExpiresAt is { } expiresAt && expiresAt <= now
            ? new(null, GatewayMessages.ExpiredKey)
            : new(key, null);
    }

    /// <summary>The key the client presented, whether or not it is valid.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }
        var apiKey = request.Headers["x-api-key"].ToString().Trim();
        return apiKey.Length > 0 ? apiKey : null;
    }
}
