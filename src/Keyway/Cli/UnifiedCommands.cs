using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway unified show|switch-model|switch-key`: the fixed model name clients keep while it is pointed at another route
/// (and optionally pinned to one key of that route's pool). Takes effect on the next request.
/// </summary>
public static class UnifiedCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("unified", "The unified model of a group");
        var showGroup = CliOptions.Group();
        command.Add(new Command("show", "Show what the unified model points at") { showGroup }.WithAdminAction(context,
            (parse, admin, ct) => admin.GetAsync(PathOf(parse.GetRequiredValue(showGroup)), ct), Render));

        var alias = new Argument<string>("alias") { Description = "Route alias the unified model should use" };
        var switchGroup = CliOptions.Group();
        var name = new Option<string?>("--name") { Description = "Model name clients send (default: keeps the current one, else unified-model)" };
        command.Add(new Command("switch-model", "Point the unified model at another route") { alias, switchGroup, name }.WithAdminAction(context,
            (parse, admin, ct) => SwitchModelAsync(admin, parse.GetRequiredValue(switchGroup), parse.GetRequiredValue(alias), parse.GetValue(name), ct), Render));

        var key = new Argument<string>("key-name") { Description = "Name of a key in the route's pool, or auto for the pool's own choice" };
        var keyGroup = CliOptions.Group();
        command.Add(new Command("switch-key", "Pin the unified model to one upstream key, or `auto`") { key, keyGroup }.WithAdminAction(context,
            (parse, admin, ct) => SwitchKeyAsync(admin, parse.GetRequiredValue(keyGroup), parse.GetRequiredValue(key), ct), Render));
        return command;
    }

    /// <summary>Points the unified model at the route <paramref name="routeAlias"/>, keeping its name (unless given) and pinned key.</summary>
    public static async Task<JsonNode> SwitchModelAsync(AdminClient admin, string groupId, string routeAlias, string? name, CancellationToken cancellationToken)
    {
        var current = (await admin.GetAsync(PathOf(groupId), cancellationToken))["unified"];
        var body = new JsonObject { ["route_alias"] = routeAlias };
        body["alias"] = name ?? current?["alias"]?.ToString();
        body["key_name"] = current?["key_name"]?.ToString();
        return await admin.PutAsync(PathOf(groupId), Compact(body), cancellationToken);
    }

    /// <summary>Pins the unified model to one key of its route's pool; "auto" lets the pool choose again.</summary>
    public static async Task<JsonNode> SwitchKeyAsync(AdminClient admin, string groupId, string keyName, CancellationToken cancellationToken)
    {
        var current = (await admin.GetAsync(PathOf(groupId), cancellationToken))["unified"]
            ?? throw new CliException("no unified model is set: run `keyway unified switch-model ALIAS` first");
        var body = new JsonObject
        {
            ["alias"] = current["alias"]?.ToString(),
            ["route_id"] = current["route_id"]?.ToString(),
            ["key_name"] = keyName == "auto" ? null : keyName,
        };
        return await admin.PutAsync(PathOf(groupId), Compact(body), cancellationToken);
    }

    public static string PathOf(string groupId) => $"admin/llm/groups/{Uri.EscapeDataString(groupId)}/unified";

    /// <summary>"alias → route (key: name|auto)", or that none is set; a pin whose key left the pool says so.</summary>
    public static string Describe(JsonNode answer) => answer["unified"] is { } unified
        ? $"{unified["alias"]} → {unified["route_alias"]} (key: {KeyOf(unified)})"
        : "no unified model is set";

    private static string KeyOf(JsonNode unified) => unified["key_name"]?.ToString() is not { } name
        ? "auto"
        : unified["key_pinned"]?.GetValue<bool>() == false ? $"{name}, not in the pool: auto" : name;

    private static JsonObject Compact(JsonObject body)
    {
        foreach (var empty in body.Where(pair => pair.Value is null).Select(pair => pair.Key).ToList())
        {
            body.Remove(empty);
        }
        return body;
    }

    private static void Render(CliContext context, JsonNode answer) => context.Out.WriteLine(Describe(answer));
}
