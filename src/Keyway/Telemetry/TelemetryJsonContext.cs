using System.Text.Json.Serialization;

namespace Keyway.Telemetry;

// Nulls are written on purpose: an unknown token count is null on the wire, not a missing field.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RequestLogListResponse))]
[JsonSerializable(typeof(RequestStatsResponse))]
[JsonSerializable(typeof(StatsSeriesResponse))]
[JsonSerializable(typeof(QueryFieldError))]
[JsonSerializable(typeof(List<RequestAttempt>))]
internal sealed partial class TelemetryJsonContext : JsonSerializerContext;
