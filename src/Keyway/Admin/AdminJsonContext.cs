using System.Text.Json.Serialization;

namespace Keyway.Admin;

/// <summary>Every admin wire type, snake_case like the Python Keyway.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(OkResponse))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(AdminConfigResponse))]
[JsonSerializable(typeof(GroupEnvelope))]
[JsonSerializable(typeof(GroupListEnvelope))]
[JsonSerializable(typeof(GroupCopyEnvelope))]
[JsonSerializable(typeof(ProviderEnvelope))]
[JsonSerializable(typeof(ProviderListEnvelope))]
[JsonSerializable(typeof(ProviderDeletedResponse))]
[JsonSerializable(typeof(UpstreamKeyEnvelope))]
[JsonSerializable(typeof(UpstreamKeySecretResponse))]
[JsonSerializable(typeof(RouteEnvelope))]
[JsonSerializable(typeof(RouteListEnvelope))]
[JsonSerializable(typeof(IssuedKeyEnvelope))]
[JsonSerializable(typeof(IssuedKeyListEnvelope))]
[JsonSerializable(typeof(IssuedKeyCreatedResponse))]
[JsonSerializable(typeof(IssuedKeyPlaintextResponse))]
[JsonSerializable(typeof(KeyUsageEnvelope))]
[JsonSerializable(typeof(ToolProviderEnvelope))]
[JsonSerializable(typeof(ToolProviderListEnvelope))]
[JsonSerializable(typeof(ToolProviderTestEnvelope))]
[JsonSerializable(typeof(RouteProviderEnvelope))]
[JsonSerializable(typeof(RouteProviderListEnvelope))]
[JsonSerializable(typeof(HealthListEnvelope))]
[JsonSerializable(typeof(HealthEnvelope))]
[JsonSerializable(typeof(UnifiedModelEnvelope))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
