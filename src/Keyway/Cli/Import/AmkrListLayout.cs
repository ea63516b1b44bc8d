using System.Text.Json.Nodes;

namespace Keyway.Cli.Import;

/// <summary>
/// AMKR's first router-config.json layout (no config_version, or 1): "models" is a list of model objects, each holding its
/// keys with their secrets (the README's example). A key is named as config.py names it, trimmed, and a key without a name
/// is "{model id}-{its place in the list}", so that a client's model[key] (AMKR's pin of one key, Keyway's pinned model)
/// names the same key after the import.
/// </summary>
internal static class AmkrListLayout
{
    /// <summary>The models; a key's own <c>upstream_routes</c> go to <paramref name="routes"/> by the base URL it calls.</summary>
    public static IEnumerable<AmkrModel> Read(JsonObject config, JsonArray models, AmkrUpstreamRoutes routes, List<string> skipped)
    {
        var defaultBase = config["default_base_url"]?.ToString() ?? "https://api.openai.com";
        foreach (var (node, i) in models.Select((model, i) => (model, i)))
        {
            var model = node as JsonObject
                ?? throw new CliException($"router-config.json: models[{i}] is {AmkrJson.Kind(node)}, not a model ({AmkrJson.ModelShape})", CliExitCodes.Usage);
            var id = model["id"]?.ToString() ?? throw new CliException("a model without id in router-config.json", CliExitCodes.Usage);
            var baseUrl = model["base_url"]?.ToString() ?? defaultBase;
            var keys = (model["keys"] as JsonArray ?? [])
                .Select((key, index) => (Key: key as JsonObject, Position: index + 1))
                .Where(entry => entry.Key is not null)
                .Select(entry => Key(entry.Key!, id, entry.Position))
                .ToList();
            foreach (var (key, fields) in keys.Zip((model["keys"] as JsonArray ?? []).OfType<JsonObject>()))
            {
                routes.Add(key.BaseUrl ?? baseUrl, fields["upstream_routes"], $"model {id}: key {key.Name}: upstream_routes", skipped);
            }
            yield return new AmkrModel(id, model, baseUrl, keys);
        }
    }

    private static AmkrKey Key(JsonObject key, string modelId, int position) => new(
        key["name"]?.ToString().Trim() is { Length: > 0 } name ? name : $"{modelId}-{position}",
        key["api_key"],
        key["base_url"]?.ToString(),
        AmkrJson.Flag(key["enabled"], true),
        AmkrJson.Flag(key["allow_visitor"], false),
        key["upstream_model"]?.ToString() ?? modelId);
}
