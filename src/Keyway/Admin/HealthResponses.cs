using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Admin;

/// <summary>
/// One upstream key's health: <c>state</c> is "ok", "cooling" (until <c>cooldown_until</c>), "quarantined"
/// (with <c>quarantine_reason</c>) or "disabled"; <c>model_cooldowns</c> lists key × model cooldowns still running.
/// <c>in_flight</c> counts the key's requests in flight on this instance, <c>in_flight_other_instances</c> those the
/// other instances on the same PostgreSQL database last published of a capped key (0 on SQLite).
/// </summary>
public sealed record KeyHealthResponse(
    string KeyId,
    string Name,
    bool Enabled,
    string State,
    DateTimeOffset? CooldownUntil,
    IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns,
    string? QuarantineReason,
    DateTimeOffset? QuarantinedAt,
    int ConsecutiveFailures,
    int? LastStatus,
    string? LastError,
    DateTimeOffset? LastFailureAt,
    int InFlight,
    int InFlightOtherInstances);

/// <summary>A provider's circuit (as a route fallback target) and the health of each of its keys.</summary>
public sealed record ProviderHealthResponse(
    string ProviderId,
    string GroupId,
    string Name,
    string RoutingMode,
    int ConsecutiveFails,
    bool CircuitOpen,
    DateTimeOffset? CircuitOpenUntil,
    IReadOnlyList<KeyHealthResponse> Keys);

/// <summary>The providers' health, plus the gateway's own readiness (<c>status</c> "degraded" with its reasons).</summary>
public sealed record HealthListEnvelope(IReadOnlyList<ProviderHealthResponse> Health, Gateway.ReadinessReport Gateway) : OkEnvelope;

public sealed record HealthEnvelope(ProviderHealthResponse Health) : OkEnvelope;

internal static class HealthResponseMapping
{
    public static ProviderHealthResponse AsHealth(this ProviderRecord provider, CooldownBook book)
    {
        var now = book.Now;
        var (fails, openUntil) = book.CircuitOf(provider.ProviderId).Snapshot();
        return new ProviderHealthResponse(
            provider.ProviderId, provider.GroupId, provider.Name, provider.RoutingMode, fails, openUntil > now, openUntil > now ? openUntil : null,
            provider.Keys.Select(key => key.AsHealth(book)).ToList());
    }

    public static KeyHealthResponse AsHealth(this UpstreamKeyRecord key, CooldownBook book)
    {
        var now = book.Now;
        var state = book.StateOf(key.KeyId);
        var cooldownUntil = state?.CooldownUntil > now ? state.CooldownUntil : null;
        var modelCooldowns = state?.ModelCooldowns.Where(pair => pair.Value > now).ToDictionary(pair => pair.Key, pair => pair.Value)
            ?? new Dictionary<string, DateTimeOffset>();
        var label = !key.Enabled ? "disabled"
            : state?.QuarantineReason is not null ? "quarantined"
            : cooldownUntil is not null || modelCooldowns.Count > 0 ? "cooling"
            : "ok";
        var (inFlight, othersInFlight) = book.InFlightOf(key.KeyId);
        return new KeyHealthResponse(
            key.KeyId, key.Name, key.Enabled, label, cooldownUntil, modelCooldowns, state?.QuarantineReason, state?.QuarantinedAt,
            state?.ConsecutiveFailures ?? 0, state?.LastStatus, state?.LastError, state?.LastFailureAt, inFlight,
            // Only a capped key is exchanged: a count left from before its cap was removed is no longer the others'.
            key.MaxConcurrency is null ? 0 : othersInFlight);
    }
}
