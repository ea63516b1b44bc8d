using System.Text.Json.Nodes;

namespace Keyway.Cli.Import;

/// <summary>
/// AMKR's later layout (config_version 2 to 4 in its config.py): "providers" keyed by id, each with a base_url, its keys
/// by name and (version 3) pools of key names; "models" keyed by model id, each with "targets" naming a provider's key
/// (versions 2 and 4) or pool (version 3) and the upstream_model to call with it. A model's pool is the keys its targets
/// name, in order, named as AMKR names them (the target's name, else the key's; a repeated one qualified by its pool or
/// provider, as config.py does).
/// </summary>
internal static class AmkrProviderLayout
{
    /// <summary>The newest config_version whose layout this reader knows (LiveSirius/auto-model-key-router's config.py).</summary>
    private const int KnownVersion = 4;

    private sealed record Provider(string BaseUrl, Dictionary<string, JsonObject> Keys, JsonObject Pools);

    /// <summary>The models; each provider's <c>routes</c> go to <paramref name="routes"/> by its base URL.</summary>
    public static IEnumerable<AmkrModel> Read(JsonObject config, JsonObject models, AmkrUpstreamRoutes routes, List<string> skipped)
    {
        if (config["config_version"] is JsonValue version && version.TryGetValue<int>(out var number) && number > KnownVersion)
        {
            throw new CliException($"router-config.json: config_version {number} is newer than the {KnownVersion} this importer knows", CliExitCodes.Usage);
        }
        var providers = Providers(config, routes, skipped);
        foreach (var (id, node) in models)
        {
            var model = node as JsonObject
                ?? throw new CliException($"router-config.json: models.{id} is {AmkrJson.Kind(node)}, not a model ({{\"targets\": [{{\"provider\": …, \"key\": …}}]}})", CliExitCodes.Usage);
            var modelId = model["id"]?.ToString() ?? id;
            var targets = Targets(modelId, model, providers, skipped).ToList();
            var baseUrl = targets.Count > 0 ? targets[0].BaseUrl : BaseUrl(config, null);
            yield return new AmkrModel(modelId, model, baseUrl, [.. targets.Select(t => t.BaseUrl == baseUrl ? t.Key : t.Key with { BaseUrl = t.BaseUrl })]);
        }
    }

    private static Dictionary<string, Provider> Providers(JsonObject config, AmkrUpstreamRoutes routes, List<string> skipped)
    {
        var providers = new Dictionary<string, Provider>();
        foreach (var (id, node) in config["providers"] as JsonObject ?? [])
        {
            if (node is not JsonObject provider)
            {
                continue;
            }
            var keys = provider["keys"] switch
            {
                JsonObject byName => byName.Where(k => k.Value is JsonObject).ToDictionary(k => k.Key, k => (JsonObject)k.Value!),
                JsonArray list => list.OfType<JsonObject>().Select((k, i) => (Name: k["name"]?.ToString() ?? $"{i + 1}", Key: k))
                    .DistinctBy(k => k.Name).ToDictionary(k => k.Name, k => k.Key),
                _ => [],
            };
            // Without "pools", version 3 reads a provider as one pool named default holding all its keys.
            var pools = provider["pools"] as JsonObject ?? new JsonObject { ["default"] = new JsonArray([.. keys.Keys.Select(name => (JsonNode)name)]) };
            providers[id] = new Provider(BaseUrl(config, provider["base_url"]?.ToString()), keys, pools);
            routes.Add(providers[id].BaseUrl, provider["routes"], $"provider {id}: routes", skipped);
        }
        return providers;
    }

    private static IEnumerable<(AmkrKey Key, string BaseUrl)> Targets(string modelId, JsonObject model, Dictionary<string, Provider> providers, List<string> skipped)
    {
        var used = new HashSet<string>();
        foreach (var target in (model["targets"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var providerId = target["provider"]?.ToString() ?? "";
            var upstreamModel = target["upstream_model"]?.ToString() ?? modelId;
            var (qualifier, keyNames) = target["pool"]?.ToString() is { Length: > 0 } pool
                ? (pool, PoolKeys(modelId, providerId, pool, upstreamModel, providers, skipped))
                : (providerId, [target["key"]?.ToString() ?? ""]);
            foreach (var keyName in keyNames)
            {
                if (!providers.TryGetValue(providerId, out var provider) || !provider.Keys.TryGetValue(keyName, out var key))
                {
                    throw new CliException($"router-config.json: model {modelId}: its target {providerId}/{keyName} is not a key of providers", CliExitCodes.Usage);
                }
                var name = Unique(target["name"]?.ToString() ?? keyName, qualifier, used);
                var enabled = AmkrJson.Flag(key["enabled"], true) && AmkrJson.Flag(target["enabled"], true);
                yield return (new AmkrKey(name, key["api_key"], null, enabled, AmkrJson.Flag(key["allow_visitor"], false), upstreamModel), provider.BaseUrl);
            }
        }
    }

    /// <summary>
    /// A version 3 pool's key names (a pool is {"keys": […]} or the list alone). A pool with a "models" list serves only
    /// those upstream models: AMKR drops a target calling another one when it migrates to version 4, so it is dropped
    /// here too, and said.
    /// </summary>
    private static IEnumerable<string> PoolKeys(
        string modelId, string providerId, string pool, string upstreamModel, Dictionary<string, Provider> providers, List<string> skipped)
    {
        switch (providers.TryGetValue(providerId, out var provider) ? provider.Pools[pool] : null)
        {
            case JsonArray keyNames:
                return AmkrJson.Names(keyNames);
            case JsonObject found when found["models"] is JsonArray served && !AmkrJson.Names(served).Contains(upstreamModel):
                skipped.Add($"model {modelId}: pool {providerId}/{pool} does not serve {upstreamModel} (its models list), so AMKR does not route to it either");
                return [];
            case JsonObject found:
                return AmkrJson.Names(found["keys"]);
            default:
                throw new CliException($"router-config.json: model {modelId}: its target {providerId}/{pool} is not a pool of providers", CliExitCodes.Usage);
        }
    }

    private static string Unique(string name, string qualifier, HashSet<string> used)
    {
        if (used.Add(name))
        {
            return name;
        }
        var qualified = $"{qualifier}-{name}";
        var candidate = qualified;
        for (var suffix = 2; !used.Add(candidate); suffix++)
        {
            candidate = $"{qualified}-{suffix}";
        }
        return candidate;
    }

    private static string BaseUrl(JsonObject config, string? own) =>
        (own is { Length: > 0 } ? own : config["default_base_url"]?.ToString() ?? "https://api.openai.com").TrimEnd('/');
}
