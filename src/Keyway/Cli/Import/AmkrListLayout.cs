using System.Text.Json.Nodes;

namespace Keyway.Cli.Import;

/// <summary>
/// AMKR's first router-config.json layout (no config_version, or 1): "models" is a list of model objects, each holding its
/// keys with their secrets (the README's example).
/// </summary>
internal static class AmkrListLayout
{
    public static IEnumerable<AmkrModel> Read(JsonObject config, JsonArray models)
    {
        var defaultBase = config["default_base_url"]?.ToString() ?? "https://api.openai.com";
        foreach (var (node, i) in models.Select((model, i) => (model, i)))
        {
            var model = node as JsonObject
                ?? throw new CliException($"router-config.json: models[{i}] is {AmkrJson.Kind(node)}, not a model ({AmkrJson.ModelShape})", CliExitCodes.Usage);
            var id = model["id"]?.ToString() ?? throw new CliException("a model without id in router-config.json", CliExitCodes.Usage);
            var keys = (model["keys"] as JsonArray ?? []).OfType<JsonObject>().Select((key, index) => new AmkrKey(
                key["name"]?.ToString() ?? $"key-{index + 1}",
                key["api_key"],
                key["base_url"]?.ToString(),
                AmkrJson.Flag(key["enabled"], true),
                AmkrJson.Flag(key["allow_visitor"], false),
                key["upstream_model"]?.ToString() ?? id));
            yield return new AmkrModel(id, model, model["base_url"]?.ToString() ?? defaultBase, [.. keys]);
        }
    }
}
