using System.Text.Json.Serialization;

namespace Keyway.Storage;

/// <summary>JSON text columns: providers.extra_headers and native_endpoints, provider_keys.models, routes.allowed_paths, key_health.model_cooldowns.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, DateTimeOffset>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
