using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Keyway.Cli.Import;

/// <summary>
/// Reads an auto-model-key-router router-config.json, in either of its layouts (<see cref="AmkrListLayout"/>,
/// <see cref="AmkrProviderLayout"/>), into a declarative document for one group: each model becomes an OpenAI-protocol
/// provider holding that model's key pool (with its routing_mode; one provider per upstream model when its keys call
/// several, <see cref="AmkrUpstreamSplit"/>) and a route per id and alias, unified_model becomes the group's unified
/// model, local_api_key an issued key. A key with allow_visitor keeps it and gives its model a route named as AMKR's
/// visitors call it, amkr-{id}, open to visitor keys (<see cref="AmkrVisitorRoutes"/>), and AMKR's visitor key becomes
/// an issued visitor key. What Keyway cannot express is reported as skipped. AMKR base URLs have no version segment (it
/// calls {base}/v1/chat/completions), so "/v1" is added, as Keyway's OpenAI base URLs carry it; AMKR's extra paths per
/// protocol (upstream_routes, a provider's routes) become base URLs and native endpoints (<see cref="AmkrUpstreamRoutes"/>).
/// </summary>
public static partial class AmkrConfigReader
{
    private static readonly string[] Unsupported = ["allow_visitor", "visitor", "tasks", "workspaces"];

    private static readonly string[] ProviderKnobs = ["request_timeout", "max_retries", "key_failure_threshold", "key_cooldown_seconds"];

    /// <summary>The issued key an AMKR without local_api_key becomes, for KEYWAY_LOCAL_CLIENTS_KEY.</summary>
    public const string LocalClientsKeyName = "amkr-local-clients";

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
        var skipped = Unsupported.Where(field => config[field] is JsonValue or JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
            .Select(field => $"{field}: Keyway has no equivalent").ToList();
        if (config.ContainsKey("stream_first_byte_timeout") || config.ContainsKey("stream_idle_timeout"))
        {
            skipped.Add("stream_first_byte_timeout, stream_idle_timeout: Keyway has no separate stream timeouts; a provider's timeout_seconds (from request_timeout) also bounds the wait for a stream's first event");
        }
        var upstreamRoutes = AmkrUpstreamRoutes.Read(config, skipped);
        var models = config["models"] switch
        {
            null => [],
            JsonArray list => AmkrListLayout.Read(config, list, upstreamRoutes, skipped).ToList(),
            JsonObject byId => AmkrProviderLayout.Read(config, byId, upstreamRoutes, skipped).ToList(),
            var other => throw new CliException(
                $"router-config.json: \"models\" is {AmkrJson.Kind(other)}, not a list of models ({AmkrJson.ModelShape}) nor an object of them by id", CliExitCodes.Usage),
        };
        var providers = new JsonArray();
        var routes = new JsonArray();
        var idRoutes = new List<(AmkrModel Model, JsonObject Route)>();
        foreach (var model in models)
        {
            var mode = RoutingMode(model.Fields["routing_mode"]?.ToString() ?? config["routing_mode"]?.ToString() ?? "round_robin", model.Id, skipped);
            var pools = AmkrUpstreamSplit.Pools(model, mode, skipped);
            foreach (var pool in pools)
            {
                providers.Add((JsonNode)Provider(config, model, pool, mode, upstreamRoutes, skipped));
            }
            var modelRoutes = Routes(model, pools, mode, skipped).ToList();
            modelRoutes.ForEach(route => routes.Add((JsonNode)route));
            idRoutes.Add((model, modelRoutes[0]));
        }
        foreach (var (model, idRoute) in idRoutes)
        {
            AmkrVisitorRoutes.Open(model, idRoute, routes, skipped);
        }
        upstreamRoutes.ReportUnused(skipped);
        var group = new JsonObject { ["group_id"] = groupId, ["providers"] = providers, ["routes"] = routes };
        if (Unified(config, skipped) is { } unified)
        {
            group["unified"] = unified;
        }
        var keys = IssuedKeys(config, groupId, openToVisitors: models.Any(m => m.Keys.Any(k => k.AllowVisitor)), skipped);
        if (keys.Count > 0)
        {
            group["keys"] = keys;
        }
        return (new JsonObject { ["groups"] = new JsonArray(group) }, skipped);
    }

    private static JsonObject Provider(
        JsonObject config, AmkrModel model, AmkrUpstreamPool pool, string mode, AmkrUpstreamRoutes upstreamRoutes, List<string> skipped)
    {
        var provider = new JsonObject
        {
            ["provider_id"] = pool.ProviderId,
            ["name"] = pool.Name,
            ["base_url"] = OpenAIBase(model.BaseUrl),
            ["protocol"] = "openai",
            ["routing_mode"] = mode,
            ["api_keys"] = new JsonArray([.. OncePerSecret(pool, skipped).Select(key => (JsonNode)PoolKey(key, pool, upstreamRoutes, skipped))]),
        };
        upstreamRoutes.Apply(provider, model.BaseUrl, $"provider {pool.ProviderId}", skipped);
        foreach (var knob in ProviderKnobs.Where(knob => config[knob] is JsonValue))
        {
            provider[knob == "request_timeout" ? "timeout_seconds" : knob] = config[knob]!.DeepClone();
        }
        return provider;
    }

    /// <summary>
    /// The pool's keys, each upstream secret once: AMKR may list one key in several pools a model targets (so it is tried
    /// more often), and the admin API refuses one secret twice in a pool. The repeat is left out, and said.
    /// </summary>
    private static IEnumerable<AmkrKey> OncePerSecret(AmkrUpstreamPool pool, List<string> skipped)
    {
        var namesBySecret = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in pool.Keys)
        {
            if (key.ApiKey?.ToString() is not { Length: > 0 } secret || namesBySecret.TryAdd(secret, key.Name))
            {
                yield return key;
            }
            else
            {
                skipped.Add($"provider {pool.ProviderId}: key {key.Name} is key {namesBySecret[secret]} again (the same api_key), which a Keyway pool holds once");
            }
        }
    }

    /// <summary>
    /// A route per id, alias and hidden alias (the id's first), closed to visitor keys (<see cref="AmkrVisitorRoutes"/>),
    /// calling the model's first provider and falling back to the others (one per upstream model,
    /// <see cref="AmkrUpstreamSplit"/>); only_first keeps those fallbacks switched off.
    /// </summary>
    private static IEnumerable<JsonObject> Routes(AmkrModel model, IReadOnlyList<AmkrUpstreamPool> pools, string mode, List<string> skipped)
    {
        var hidden = AmkrJson.Names(model.Fields["hidden_aliases"]).ToList();
        if (hidden.Count > 0)
        {
            skipped.Add($"model {model.Id}: hidden_aliases {string.Join(", ", hidden)} became routes, which Keyway's /v1/models lists");
        }
        if (!AmkrJson.Flag(model.Fields["native_first"], true))
        {
            skipped.Add($"model {model.Id}: native_first false: Keyway has no equivalent");
        }
        var reasoning = ReasoningEffort(model, skipped);
        foreach (var alias in AmkrJson.Names(model.Fields["aliases"]).Concat(hidden).Prepend(model.Id).Distinct())
        {
            var route = new JsonObject { ["alias"] = alias, ["provider_id"] = pools[0].ProviderId, ["upstream_model"] = pools[0].UpstreamModel, ["allow_visitors"] = false };
            if (pools.Count > 1)
            {
                route["fallbacks"] = new JsonArray([.. pools.Skip(1).Select(pool => (JsonNode)Fallback(pool, mode))]);
            }
            if (reasoning is not null)
            {
                route["default_reasoning_effort"] = reasoning;
            }
            yield return route;
        }
    }

    private static JsonObject Fallback(AmkrUpstreamPool pool, string mode)
    {
        var fallback = new JsonObject { ["provider_id"] = pool.ProviderId, ["upstream_model"] = pool.UpstreamModel };
        if (mode == "only_first")
        {
            fallback["enabled"] = false;
        }
        return fallback;
    }

    /// <summary>AMKR sets a model's reasoning_effort on every request; Keyway's route default only fills it in where the client left it out.</summary>
    private static string? ReasoningEffort(AmkrModel model, List<string> skipped)
    {
        switch (model.Fields["reasoning_effort"]?.ToString())
        {
            case null or "" or "default" or "downstream":
                return null;
            case ("low" or "medium" or "high") and var effort:
                skipped.Add($"model {model.Id}: reasoning_effort {effort} became its routes' default_reasoning_effort, which a client's own reasoning effort overrides (AMKR overrides the client's)");
                return effort;
            case var other:
                skipped.Add($"model {model.Id}: reasoning_effort {other}: Keyway's default_reasoning_effort is low, medium or high");
                return null;
        }
    }

    /// <summary>
    /// The unified model: AMKR's first shape {model, key, image_model, image_key}, or version 4's
    /// {default: {primary: {model, key}, fallback}, image, embeddings}. Keyway's unified model is one alias on one route.
    /// </summary>
    private static JsonObject? Unified(JsonObject config, List<string> skipped)
    {
        if (config["unified_model"] is not JsonObject unified)
        {
            return null;
        }
        var plan = unified["default"] as JsonObject;
        var target = plan?["primary"] as JsonObject ?? unified;
        foreach (var (field, value) in new[] { ("default.fallback", plan?["fallback"]), ("image", unified["image"]), ("embeddings", unified["embeddings"]), ("image_model", unified["image_model"]) })
        {
            if (value is not null)
            {
                skipped.Add($"unified_model.{field}: Keyway has one unified model, on one route (give that route fallbacks instead)");
            }
        }
        return target["model"]?.ToString() is { } model
            ? new JsonObject { ["alias"] = "unified-model", ["route_alias"] = model, ["key_name"] = target["key"]?.DeepClone() }
            : null;
    }

    private static JsonArray IssuedKeys(JsonObject config, string group, bool openToVisitors, List<string> skipped)
    {
        var keys = new JsonArray();
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
            keys.Add((JsonNode)key);
        }
        else
        {
            keys.Add((JsonNode)new JsonObject { ["name"] = LocalClientsKeyName });
            skipped.Add($"local_api_key is empty, so AMKR served clients without a key: to keep that for clients on this machine, start Keyway with "
                + $"KEYWAY_LOCAL_CLIENTS_KEY={group}/{LocalClientsKeyName} (the issued key created for them); other clients need a key");
        }
        if (openToVisitors)
        {
            keys.Add((JsonNode)new JsonObject { ["name"] = "amkr visitor", ["visitor"] = true });
            skipped.Add($"visitor key amkr-visitor: replaced by a new issued visitor key \"amkr visitor\" (printed once below), as Keyway keys are {Security.IssuedKeys.Prefix}; "
                + $"visitors call the models by the same {AmkrVisitorRoutes.Prefix}{{id}} names, whose routes other keys may call too and /v1/models lists");
        }
        return keys;
    }

    private static JsonObject PoolKey(AmkrKey key, AmkrUpstreamPool pool, AmkrUpstreamRoutes upstreamRoutes, List<string> skipped)
    {
        var poolKey = new JsonObject { ["name"] = key.Name, ["api_key"] = key.ApiKey?.DeepClone() };
        if (key.BaseUrl is { } baseUrl)
        {
            poolKey["base_url"] = OpenAIBase(baseUrl);
            upstreamRoutes.Apply(poolKey, baseUrl, $"key {key.Name} of provider {pool.ProviderId}", skipped);
        }
        if (!key.Enabled)
        {
            poolKey["enabled"] = false;
        }
        if (key.AllowVisitor)
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

    [GeneratedRegex(@"/v\d+$")]
    private static partial Regex VersionSuffix();
}
