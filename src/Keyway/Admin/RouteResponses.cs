using Keyway.Storage;

namespace Keyway.Admin;

public sealed record RouteResponse(
    string RouteId,
    string GroupId,
    string Alias,
    string ProviderId,
    string UpstreamModel,
    string UpstreamPath,
    bool Enabled,
    string Note,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string WebSearch,
    string? DefaultReasoningEffort,
    int? MaxTokensCap,
    double? DefaultTemperature,
    IReadOnlyList<string> AllowedPaths,
    bool AllowVisitors);

public sealed record RouteEnvelope(RouteResponse Route) : OkEnvelope;

public sealed record RouteListEnvelope(IReadOnlyList<RouteResponse> Routes) : OkEnvelope;

internal static class RouteResponseMapping
{
    public static RouteResponse AsResponse(this RouteRecord route) => new(
        route.RouteId, route.GroupId, route.Alias, route.ProviderId, route.UpstreamModel, route.UpstreamPath, route.Enabled, route.Note,
        route.CreatedAt, route.UpdatedAt, route.WebSearch.Name(),
        route.DefaultReasoningEffort, route.MaxTokensCap, route.DefaultTemperature, route.AllowedPaths, route.AllowVisitors);
}
