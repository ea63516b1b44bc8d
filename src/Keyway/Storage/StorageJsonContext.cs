using System.Text.Json.Serialization;

namespace Keyway.Storage;

/// <summary>JSON text columns (providers.extra_headers) as a string map.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
