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
            (parse, admin, ct) => admin.GetAsync(PathOf(parse, showGroup), ct), Render));

        var alias = new Argument<string>("alias") { Description = "Route alias the unified model should use" };
        var switchGroup = CliOptions.Group();
        var name = new Option<string?>("--name") { Description = "Model name clients send (default: keeps the current one, else unified-model)" };
        command.Add(new Command("switch-model", "Point the unified model at another route") { alias, switchGroup, name }.WithAdminAction(context, async (parse, admin, ct) =>
        {
            var current = (await admin.GetAsync(PathOf(parse, switchGroup), ct))["unified"];
            var body = new JsonObject { ["route_alias"] = parse.GetValue(alias) };
            body["alias"] = parse.GetValue(name) ?? current?["alias"]?.ToString();
            body["key_name"] = current?["key_name"]?.ToString();
            return await admin.PutAsync(PathOf(parse, switchGroup), Compact(body), ct);
        }, Render));

        var key = new Argument<string>("key-name") { Description = "Name of a key in the route's pool, or auto for the pool's own choice" };
        var keyGroup = CliOptions.Group();
        command.Add(new Command("switch-key", "Pin the unified model to one upstream key, or `auto`") { key, keyGroup }.WithAdminAction(context, async (parse, admin, ct) =>
        {
            var current = (await admin.GetAsync(PathOf(parse, keyGroup), ct))["unified"]
                ?? throw new CliException("no unified model is set: run `keyway unified switch-model ALIAS` first");
            var keyName = parse.GetRequiredValue(key);
            var body = new JsonObject
            {
                ["alias"] = current["alias"]?.ToString(),
                ["route_id"] = current["route_id"]?.ToString(),
                ["key_name"] = keyName == "auto" ? null : keyName,
            };
            return await admin.PutAsync(PathOf(parse, keyGroup), Compact(body), ct);
        }, Render));
        return command;
    }

    private static string PathOf(ParseResult parse, Option<string> group) => $"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(group))}/unified";

    private static JsonObject Compact(JsonObject body)
    {
        foreach (var empty in body.Where(pair => pair.Value is null).Select(pair => pair.Key).ToList())
        {
            body.Remove(empty);
        }
        return body;
    }

    private static void Render(CliContext context, JsonNode answer)
    {
        var unified = answer["unified"];
        context.Out.WriteLine(unified is null
            ? "no unified model is set"
            : $"{unified["alias"]} → {unified["route_alias"]} (key: {unified["key_name"]?.ToString() ?? "auto"})");
    }
}
