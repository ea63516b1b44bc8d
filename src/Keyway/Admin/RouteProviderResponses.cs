using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>A fallback target of a route, in the later Keyway releases' shape.</summary>
public sealed record RouteProviderResponse(
    string RpId, string RouteId, string ProviderId, string UpstreamModel, int Priority, bool Enabled, DateTimeOffset CreatedAt);

public sealed record RouteProviderEnvelope(RouteProviderResponse RouteProvider) : OkEnvelope;

public sealed record RouteProviderListEnvelope(IReadOnlyList<RouteProviderResponse> RouteProviders) : OkEnvelope;

internal static class RouteProviderResponseMapping
{
    public static RouteProviderResponse AsResponse(this RouteProviderRecord target) =>
        new(target.RpId, target.RouteId, target.ProviderId, target.UpstreamModel, target.Priority, target.Enabled, target.CreatedAt);
}
