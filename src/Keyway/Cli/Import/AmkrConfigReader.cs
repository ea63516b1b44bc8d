using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Keyway.Cli.Import;

/// <summary>
/// Reads an auto-model-key-router router-config.json into a declarative document for one group: each model becomes an
/// OpenAI-protocol provider holding that model's key pool (with its routing_mode) and a route per id and alias,
/// unified_model becomes the group's unified model, local_api_key an issued key. A key with allow_visitor keeps it and
/// opens its model's routes to visitor keys (allow_visitors), and AMKR's visitor key becomes an issued visitor key.
/// AMKR base URLs have no version
/// segment (it calls {base}/v1/chat/completions), so "/v1" is added, as Keyway's OpenAI base URLs carry it.
/// </summary>
public static partial class AmkrConfigReader
{
    private static readonly string[] Unsupported = ["upstream_routes", "allow_visitor", "visitor"];

    public static (JsonObject Document, List<string> Skipped) Read(string json, string groupId)
    {
        JsonObject config;
        try
        {
            config = JsonNode.Parse(json) as JsonObject ?? throw new CliException("router-config.json is not a JSON object", CliExitCodes.Usage);
        }
        catch (JsonException e)
        {
            throw new CliException($"router-config.json is not valid JSON: {e.Message}", CliExitCodes.Usage);
        }
        var skipped = Unsupported.Where(config.ContainsKey).Select(field => $"{field}: Keyway has no equivalent").ToList();
        var defaultBase = config["default_base_url"]?.ToString() ?? "https://api.openai.com";
        var providers = new JsonArray();
        var routes = new JsonArray();
        var openToVisitors = false;
        foreach (var model in Models(config))
        {
            var modelId = model["id"]?.ToString() ?? throw new CliException("a model without id in router-config.json", CliExitCodes.Usage);
            var providerId = Slug("amkr-" + modelId);
            var provider = new JsonObject
            {
                ["provider_id"] = providerId,
                ["name"] = modelId,
                ["base_url"] = OpenAIBase(model["base_url"]?.ToString() ?? defaultBase),
                ["protocol"] = "openai",
                ["routing_mode"] = RoutingMode(model["routing_mode"]?.ToString() ?? "round_robin", modelId, skipped),
                ["api_keys"] = new JsonArray([.. (model["keys"] as JsonArray ?? []).OfType<JsonObject>().Select((key, i) => (JsonNode)PoolKey(key, i))]),
            };
            foreach (var (from, to) in new[] { ("request_timeout", "timeout_seconds"), ("max_retries", "max_retries"), ("key_failure_threshold", "key_failure_threshold"), ("key_cooldown_seconds", "key_cooldown_seconds") })
            {
                if (config[from] is JsonValue value)
                {
                    provider[to] = value.DeepClone();
                }
            }
            providers.Add((JsonNode)provider);
            // AMKR serves a visitor with the keys that allow visitors; Keyway also needs the route opened to them.
            var visitors = provider["api_keys"]!.AsArray().Any(key => key?["allow_visitor"] is not null);
            openToVisitors |= visitors;
            foreach (var alias in (model["aliases"] as JsonArray ?? []).Select(a => a?.ToString()).Prepend(modelId).OfType<string>().Distinct())
            {
                routes.Add((JsonNode)new JsonObject { ["alias"] = alias, ["provider_id"] = providerId, ["upstream_model"] = modelId, ["allow_visitors"] = visitors });
            }
        }
        var group = new JsonObject { ["group_id"] = groupId, ["providers"] = providers, ["routes"] = routes };
        if (config["unified_model"]?["model"]?.ToString() is { } unified)
        {
            group["unified"] = new JsonObject { ["alias"] = "unified-model", ["route_alias"] = unified, ["key_name"] = config["unified_model"]?["key"]?.DeepClone() };
        }
        if (config["local_api_key"]?.ToString() is { Length: > 0 } localKey)
        {
            var key = new JsonObject { ["name"] = "amkr local_api_key" };
            if (Security.IssuedKeys.IsAcceptable(localKey))
            {
                key["plaintext"] = localKey;
            }
            else
            {
                skipped.Add($"local_api_key: replaced by a new issued db_sk_ key (printed once below), as Keyway keys are {Security.IssuedKeys.Prefix} and at least {Security.IssuedKeys.GivenMinSecretLength} characters; give it to the clients that used the AMKR key");
            }
            group["keys"] = new JsonArray(key);
        }
        if (openToVisitors)
        {
            var keys = group["keys"] as JsonArray ?? [];
            keys.Add((JsonNode)new JsonObject { ["name"] = "amkr visitor", ["visitor"] = true });
            group["keys"] = keys;
            skipped.Add($"visitor key amkr-visitor: replaced by a new issued visitor key \"amkr visitor\" (printed once below), as Keyway keys are {Security.IssuedKeys.Prefix}; visitors call the models by their ids and aliases, not amkr-{{id}}");
        }
        return (new JsonObject { ["groups"] = new JsonArray(group) }, skipped);
    }

    /// <summary>
    /// The "models" list, each entry a model object. Anything else is refused (exit 2) rather than skipped, which would
    /// import the group without its models and say nothing: a model's name alone carries no keys to import, and the
    /// object keyed by model id is AMKR's later config_version 2 layout, which this reader does not know.
    /// </summary>
    private static IEnumerable<JsonObject> Models(JsonObject config)
    {
        var models = config["models"] switch
        {
            null => [],
            JsonArray list => list,
            var other => throw new CliException($"router-config.json: \"models\" is {Kind(other)}, not a list of models ({ModelShape})", CliExitCodes.Usage),
        };
        return models.Select((model, i) => model as JsonObject
            ?? throw new CliException($"router-config.json: models[{i}] is {Kind(model)}, not a model ({ModelShape})", CliExitCodes.Usage));
    }

    private const string ModelShape = "{\"id\": …, \"keys\": [{\"api_key\": …}]}";

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static JsonObject PoolKey(JsonObject key, int index)
    {
        var poolKey = new JsonObject { ["name"] = key["name"]?.ToString() ?? $"key-{index + 1}", ["api_key"] = key["api_key"]?.DeepClone() };
        if (key["base_url"]?.ToString() is { } baseUrl)
        {
            poolKey["base_url"] = OpenAIBase(baseUrl);
        }
        if (key["allow_visitor"] is JsonValue allow && allow.TryGetValue<bool>(out var allowVisitor) && allowVisitor)
        {
            poolKey["allow_visitor"] = true;
        }
        return poolKey;
    }

    /// <summary>AMKR's modes: round_robin as is; the ordered ones (priority, failover, sequential) as priority.</summary>
    private static string RoutingMode(string mode, string modelId, List<string> skipped)
    {
        switch (mode)
        {
            case "round_robin" or "priority" or "only_first":
                return mode;
            case "failover" or "sequential" or "fallback":
                return "priority";
            default:
                skipped.Add($"model {modelId}: routing_mode '{mode}' is unknown, round_robin used");
                return "round_robin";
        }
    }

    private static string OpenAIBase(string url)
    {
        var trimmed = url.TrimEnd('/');
        return VersionSuffix().IsMatch(trimmed) ? trimmed : trimmed + "/v1";
    }

    private static string Slug(string text) => SlugInvalid().Replace(text.ToLowerInvariant(), "-");

    [GeneratedRegex(@"/v\d+$")]
    private static partial Regex VersionSuffix();

    [GeneratedRegex("[^a-z0-9_-]")]
    private static partial Regex SlugInvalid();
}
