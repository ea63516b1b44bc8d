using System.Text.Json.Nodes;

namespace Keyway.Cli.Import;

/// <summary>
/// AMKR's extra upstream paths per protocol mode and base URL (config.py: the list layout's top-level and per-key
/// <c>upstream_routes</c>, the later layout's provider <c>routes</c>, merged by base URL without its trailing '/'), mapped
/// onto what calls that base URL in Keyway: a provider (its model's base URL) or a key with its own base URL. Anthropic
/// becomes a native endpoint at the URL before /v1/messages, openai the base URL itself (before /chat/completions),
/// responses an openai-responses native endpoint (before /responses) unless that is the base URL; images and embeddings
/// (a later AMKR's mode) are skipped.
/// </summary>
internal sealed class AmkrUpstreamRoutes
{
    /// <summary>AMKR's modes in the order they are applied (openai first: responses is compared with the base URL it set).</summary>
    private static readonly (string Mode, string Endpoint)[] Modes =
    [
        ("openai", "v1/chat/completions"), ("anthropic", "v1/messages"), ("responses", "v1/responses"), ("images", "v1/images/generations"),
        ("embeddings", "v1/embeddings"),
    ];

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["chat"] = "openai",
        ["chat_completions"] = "openai",
        ["chat-completions"] = "openai",
        ["openai_chat"] = "openai",
        ["openai-chat"] = "openai",
        ["messages"] = "anthropic",
        ["anthropic_messages"] = "anthropic",
        ["anthropic-messages"] = "anthropic",
        ["codex"] = "responses",
        ["image"] = "images",
        ["img"] = "images",
        ["dall-e"] = "images",
        ["dalle"] = "images",
        ["images/generations"] = "images",
        ["image_generation"] = "images",
        ["image-generation"] = "images",
    };

    /// <summary>Base URL → mode → the path under it (normalised as AMKR's normalize_upstream_route_path does).</summary>
    private readonly Dictionary<string, Dictionary<string, string>> _byBaseUrl = [];
    private readonly HashSet<string> _applied = [];

    /// <summary>The top-level <c>upstream_routes</c>: {base URL: {mode: path}}.</summary>
    public static AmkrUpstreamRoutes Read(JsonObject config, List<string> skipped)
    {
        var routes = new AmkrUpstreamRoutes();
        foreach (var (baseUrl, modes) in config["upstream_routes"] as JsonObject ?? [])
        {
            routes.Add(baseUrl, modes, "upstream_routes", skipped);
        }
        return routes;
    }

    /// <summary>Adds one base URL's {mode: path} (<paramref name="source"/> names it in the report).</summary>
    public void Add(string baseUrl, JsonNode? modes, string source, List<string> skipped)
    {
        foreach (var (rawMode, rawPath) in modes as JsonObject ?? [])
        {
            var mode = rawMode.Trim().ToLowerInvariant();
            mode = Aliases.GetValueOrDefault(mode, mode);
            var index = Array.FindIndex(Modes, known => known.Mode == mode);
            if (index < 0)
            {
                skipped.Add($"{source} {baseUrl}: mode {rawMode} is not one AMKR knows");
                continue;
            }
            if (Path(rawPath?.ToString(), Modes[index].Endpoint) is not { } path)
            {
                continue;
            }
            var byMode = _byBaseUrl.TryGetValue(Key(baseUrl), out var found) ? found : _byBaseUrl[Key(baseUrl)] = [];
            byMode[mode] = path;
        }
    }

    /// <summary>
    /// Sets what <paramref name="baseUrl"/>'s routes say on <paramref name="target"/> (a provider or a pool key, whose
    /// <c>base_url</c> is already Keyway's OpenAI one); <paramref name="name"/> names it in the report.
    /// </summary>
    public void Apply(JsonObject target, string baseUrl, string name, List<string> skipped)
    {
        if (!_byBaseUrl.TryGetValue(Key(baseUrl), out var byMode))
        {
            return;
        }
        _applied.Add(Key(baseUrl));
        foreach (var (mode, _) in Modes)
        {
            if (!byMode.TryGetValue(mode, out var path))
            {
                continue;
            }
            var url = $"{Key(baseUrl)}/{path}";
            var said = $"upstream_routes {Key(baseUrl)}: {mode} → {path}";
            switch (mode)
            {
                case "openai" when Before(url, "/chat/completions") is var chat && chat != target["base_url"]?.ToString():
                    target["base_url"] = chat;
                    skipped.Add($"{said} became {name}'s base_url {chat}");
                    break;
                case "anthropic":
                    NativeEndpoint(target, "anthropic", Before(url, "/v1/messages"), said, name, skipped);
                    break;
                case "responses" when Before(url, "/responses") is var responses && responses != target["base_url"]?.ToString():
                    NativeEndpoint(target, "openai-responses", responses, said, name, skipped);
                    break;
                case "images" or "embeddings":
                    skipped.Add($"{said}: Keyway has no equivalent, it calls {name}'s base_url + the standard path");
                    break;
            }
        }
    }

    /// <summary>Reports the base URLs no imported provider or key calls.</summary>
    public void ReportUnused(List<string> skipped) =>
        skipped.AddRange(_byBaseUrl.Keys.Where(url => !_applied.Contains(url)).Select(url => $"upstream_routes {url}: no imported key calls this base URL"));

    private static void NativeEndpoint(JsonObject target, string protocol, string url, string said, string name, List<string> skipped)
    {
        var endpoints = target["native_endpoints"] as JsonObject ?? (JsonObject)(target["native_endpoints"] = new JsonObject());
        endpoints[protocol] = url;
        skipped.Add($"{said} became {name}'s native_endpoints.{protocol} {url}");
    }

    /// <summary>
    /// A mode's path as AMKR's normalize_upstream_route_path makes it ("anthropic/" → "anthropic/v1/messages",
    /// "x/v1" → "x/v1/messages"); null for an empty one, which AMKR ignores.
    /// </summary>
    private static string? Path(string? raw, string endpoint)
    {
        var route = (raw ?? "").Trim().Replace('\\', '/');
        while (route.Contains("//", StringComparison.Ordinal))
        {
            route = route.Replace("//", "/", StringComparison.Ordinal);
        }
        route = route.Trim('/');
        if (route.Length == 0)
        {
            return null;
        }
        if (route == endpoint || route.EndsWith($"/{endpoint}", StringComparison.Ordinal))
        {
            return route;
        }
        return route == "v1" || route.EndsWith("/v1", StringComparison.Ordinal) ? $"{route}/{endpoint["v1/".Length..]}" : $"{route}/{endpoint}";
    }

    private static string Key(string baseUrl) => baseUrl.Trim().TrimEnd('/');

    private static string Before(string url, string suffix) => url[..^suffix.Length];
}
