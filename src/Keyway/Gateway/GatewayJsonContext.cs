using System.Text.Json.Serialization;

namespace Keyway.Gateway;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadinessReport))]
[JsonSerializable(typeof(OpenAIModel))]
[JsonSerializable(typeof(OpenAIModelList))]
[JsonSerializable(typeof(AnthropicModel))]
[JsonSerializable(typeof(AnthropicModelList))]
[JsonSerializable(typeof(DeletedResponse))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
