using System.Text.Json.Serialization;
using Keyway.Gateway;

namespace Keyway.Admin;

public sealed record ProbeTestResponse(bool Ok, ProbeResult Test);

public sealed record E2eRouteResult(string Alias, string ProviderId, string Protocol, string UpstreamModel, bool Ok, int Status, long LatencyMs, string Message)
{
    /// <summary>The upstream key the probe used (see <see cref="ProbeResult.Key"/>).</summary>
    public string? Key { get; init; }
}

public sealed record E2eGroupResult(string GroupId, string GroupName, int Passed, int Total, IReadOnlyList<E2eRouteResult> Results);

public sealed record E2eResponse(bool Ok, string Summary, IReadOnlyList<E2eGroupResult> GroupResults);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ProbeTestResponse))]
[JsonSerializable(typeof(E2eResponse))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
