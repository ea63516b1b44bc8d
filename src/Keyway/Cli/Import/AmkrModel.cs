using System.Text.Json.Nodes;

namespace Keyway.Cli.Import;

/// <summary>
/// One AMKR model with the keys it routes to, whichever layout the router-config.json has: <see cref="Fields"/> is the
/// model's own object (aliases, hidden_aliases, routing_mode, reasoning_effort, native_first), <see cref="BaseUrl"/>
/// AMKR's base URL for the model (no version segment).
/// </summary>
internal sealed record AmkrModel(string Id, JsonObject Fields, string BaseUrl, IReadOnlyList<AmkrKey> Keys);

/// <summary>
/// A key of a model's pool: <see cref="BaseUrl"/> is set only when it differs from the model's; <see cref="UpstreamModel"/>
/// is the model name AMKR sends upstream with this key.
/// </summary>
internal sealed record AmkrKey(string Name, JsonNode? ApiKey, string? BaseUrl, bool Enabled, bool AllowVisitor, string UpstreamModel);
