using Keyway.Security;
using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Admin;

/// <summary>
/// A provider as admins see it: every upstream key masked (<c>sk-…abcd</c>), never in full; <c>native_endpoints</c> maps
/// other protocols to the base URL serving them ({} when none); the failover knobs are null when the global default holds;
/// <c>thinking_switch</c> is how the vendor switches thinking ("none": no switch written), <c>auth_header</c> the header
/// carrying the upstream key (null: the protocol's own), <c>reasoning_replay</c> whether translated Chat requests give
/// assistant turns their reasoning back (null: the rule for the host), <c>reasoning_split</c> whether they ask MiniMax's split
/// of thinking from content (null: the rule for the host, MiniMax's own API).
/// </summary>
public sealed record ProviderResponse(
    string ProviderId,
    string GroupId,
    string Name,
    string BaseUrl,
    string Protocol,
    bool Enabled,
    string Note,
    int TimeoutSeconds,
    IReadOnlyDictionary<string, string> ExtraHeaders,
    string RoutingMode,
    string ApiKey,
    bool ApiKeySet,
    IReadOnlyList<UpstreamKeyResponse> ApiKeys,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int? MaxRetries,
    int? KeyFailureThreshold,
    int? KeyCooldownSeconds,
    int? KeyWaitSeconds,
    IReadOnlyDictionary<string, string> NativeEndpoints,
    bool Websocket,
    string ThinkingSwitch,
    string? AuthHeader,
    bool? ReasoningReplay,
    bool? ReasoningSplit);

/// <summary>
/// A pool key: <c>models</c> empty means any upstream model, <c>base_url</c> null means the provider's; <c>health</c> is its
/// live state (<c>health.in_flight</c> its requests in flight on this instance); <c>allow_visitor</c>: visitor keys may be served
/// by it; <c>max_concurrency</c>: its cap on requests in flight, summed over the instances sharing a PostgreSQL database,
/// null for none; <c>native_endpoints</c>: its own base URLs for other protocols, <c>{}</c> for none.
/// </summary>
public sealed record UpstreamKeyResponse(
    string KeyId, string Name, string ApiKey, bool Enabled, int SortOrder, DateTimeOffset CreatedAt,
    IReadOnlyList<string> Models, string? BaseUrl, KeyHealthResponse Health, bool AllowVisitor, int? MaxConcurrency,
    IReadOnlyDictionary<string, string> NativeEndpoints);

public sealed record ProviderEnvelope(ProviderResponse Provider) : OkEnvelope;

public sealed record ProviderListEnvelope(IReadOnlyList<ProviderResponse> Providers) : OkEnvelope;

public sealed record ProviderDeletedResponse(string Message, IReadOnlyList<string> DeletedRoutes) : OkEnvelope;

public sealed record UpstreamKeyEnvelope(UpstreamKeyResponse Key, ProviderResponse Provider) : OkEnvelope;

/// <summary>A provider's extra_headers in plain, for <c>keyway export --with-secrets</c>; admin reads show them masked.</summary>
public sealed record ProviderExtraHeadersSecretResponse(string ProviderId, IReadOnlyDictionary<string, string> ExtraHeaders) : OkEnvelope;

public sealed record UpstreamKeySecretResponse(string ProviderId, string KeyId, string Name, string ApiKey) : OkEnvelope;

internal static class ProviderResponseMapping
{
    public static ProviderResponse AsResponse(this ProviderRecord provider, SecretBox secrets, CooldownBook book)
    {
        var keys = provider.Keys.Select(key => key.AsResponse(secrets, book)).ToList();
        return new ProviderResponse(
            provider.ProviderId, provider.GroupId, provider.Name, provider.BaseUrl, provider.Protocol, provider.Enabled, provider.Note,
            provider.TimeoutSeconds, SealedHeaders.Mask(provider.SealedExtraHeaders, secrets), provider.RoutingMode,
            keys.Count > 0 ? keys[0].ApiKey : "", keys.Count > 0, keys, provider.CreatedAt, provider.UpdatedAt,
            provider.MaxRetries, provider.KeyFailureThreshold, provider.KeyCooldownSeconds, provider.KeyWaitSeconds,
            provider.NativeEndpoints ?? new Dictionary<string, string>(), provider.Websocket, provider.ThinkingSwitch, provider.AuthHeader,
            provider.ReasoningReplay, provider.ReasoningSplit);
    }

    public static UpstreamKeyResponse AsResponse(this UpstreamKeyRecord key, SecretBox secrets, CooldownBook book) =>
        new(key.KeyId, key.Name, SecretMask.Mask(secrets.Open(key.SealedSecret)), key.Enabled, key.SortOrder, key.CreatedAt,
            key.Models ?? [], key.BaseUrl, key.AsHealth(book), key.AllowVisitor, key.MaxConcurrency,
            key.NativeEndpoints ?? new Dictionary<string, string>());
}
