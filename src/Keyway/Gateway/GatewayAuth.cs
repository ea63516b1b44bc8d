using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Keyway.Security;
using Microsoft.AspNetCore.Connections.Features;

namespace Keyway.Gateway;

/// <summary>
/// Authenticates a data-plane call by the SHA-256 of the presented key, looked up in the
/// in-memory routing table. Accepts `Authorization: Bearer db_sk_…` (OpenAI SDKs,
/// ANTHROPIC_AUTH_TOKEN) and `x-api-key: db_sk_…` (Anthropic SDKs, ANTHROPIC_API_KEY). With KEYWAY_LOCAL_CLIENTS_KEY,
/// a request from this machine presenting no key, or a key Keyway does not know, is served as that key.
/// </summary>
internal static class GatewayAuth
{
    public readonly record struct Outcome(IssuedKeyEntry? Key, string? Error);

    public static Outcome Authenticate(HttpRequest request, RoutingTable table, DateTimeOffset now)
    {
        var (bearer, apiKey) = PresentedKeys(request);
        if (bearer is null && apiKey is null)
        {
            return LocalClient(request, table, now) ?? new(null, GatewayMessages.MissingAuthorization);
        }
        var (key, conflict) = bearer is not null && apiKey is not null && bearer != apiKey
            ? KeywayKeyOfTwo(table, bearer, apiKey)
            : (table.TryGetKey(HashOncePerConnection(request, (bearer ?? apiKey)!), out var only) ? only : null, false);
        if (conflict)
        {
            return new(null, GatewayMessages.ConflictingKeys);
        }
        if (key is null)
        {
            return LocalClient(request, table, now) ?? new(null, GatewayMessages.InvalidKey);
        }
        return Unexpired(key, now);
    }

    /// <summary>
    /// Two different keys, one per header: Claude Code sends ANTHROPIC_AUTH_TOKEN as Authorization and ANTHROPIC_API_KEY as
    /// x-api-key, both when both are set, so a vendor key left in one variable rides beside the Keyway key in the other. The
    /// one Keyway issued is used, whichever header carries it; two Keyway keys are two identities (group, limits, log
    /// rows), a conflict refused rather than settled by a header order the client cannot see. Hashed without the
    /// connection's memo, which holds one key: only a client configured with both pays the second hash.
    /// </summary>
    private static (IssuedKeyEntry? Key, bool Conflict) KeywayKeyOfTwo(RoutingTable table, string bearer, string apiKey)
    {
        var byBearer = table.TryGetKey(IssuedKeys.Hash(bearer), out var bearerKey) ? bearerKey : null;
        var byApiKey = table.TryGetKey(IssuedKeys.Hash(apiKey), out var apiKeyKey) ? apiKeyKey : null;
        return byBearer is not null && byApiKey is not null ? (null, true) : (byBearer ?? byApiKey, false);
    }

    private static Outcome Unexpired(IssuedKeyEntry key, DateTimeOffset now) =>
        key.ExpiresAt is { } expiresAt && expiresAt <= now ? new(null, GatewayMessages.ExpiredKey) : new(key, null);

    /// <summary>
    /// The local clients' key, for a request from a loopback address: the connection's, or behind a proxy of
    /// KEYWAY_TRUSTED_PROXIES the client's it forwards (a proxy Keyway does not trust is itself the client, see README).
    /// A client that must send some key (Claude Code, Codex) may send any; an expired issued key stays refused.
    /// </summary>
    private static Outcome? LocalClient(HttpRequest request, RoutingTable table, DateTimeOffset now) =>
        table.LocalClientsKey is { } key && request.HttpContext.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)
            ? Unexpired(key, now)
            : null;

    /// <summary>
    /// The SHA-256 of the presented key, remembered on an HTTP/1.x connection for the client's next call: OpenSSL's
    /// one-shot digest and the hex string were ~2.3% of the CPU at 32 connections. Only the hash is remembered; the
    /// key is still looked up on every call, so revocation and expiry apply at once. The keys are compared in constant
    /// time, because a proxy in front may carry other clients' calls on the same connection. HTTP/2 and HTTP/3 streams
    /// share a connection concurrently, so their calls hash every time.
    /// </summary>
    private static string HashOncePerConnection(HttpRequest request, string presented)
    {
        var connectionItems = HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol)
            ? request.HttpContext.Features.Get<IConnectionItemsFeature>()?.Items
            : null;
        if (connectionItems?.TryGetValue(typeof(LastPresentedKey), out var item) == true
            && item is LastPresentedKey last && last.IsKey(presented))
        {
            return last.Hash;
        }
        var hash = IssuedKeys.Hash(presented);
        connectionItems?[typeof(LastPresentedKey)] = new LastPresentedKey(presented, hash);
        return hash;
    }

    private sealed record LastPresentedKey(string Key, string Hash)
    {
        public bool IsKey(string presented) => CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(Key.AsSpan()), MemoryMarshal.AsBytes(presented.AsSpan()));
    }

    /// <summary>
    /// The Bearer token of Authorization and the x-api-key value, each null when absent or empty: whether or not they are
    /// valid, both are the client's secrets (the one Keyway issued, whichever header carried it, and a vendor key beside it).
    /// </summary>
    public static (string? Bearer, string? ApiKey) PresentedKeys(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : "";
        var apiKey = request.Headers["x-api-key"].ToString().Trim();
        return (bearer.Length > 0 ? bearer : null, apiKey.Length > 0 ? apiKey : null);
    }
}
