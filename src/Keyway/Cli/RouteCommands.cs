using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway route list|show|add|edit|remove`: aliases of a group bound to a provider's upstream model, with optional
/// fallbacks (`--fallback PROVIDER[:MODEL]`, tried in the order given). A route is named by its alias or its id.
/// </summary>
public static class RouteCommands
{
    private static readonly string[] Columns = ["alias", "provider_id", "upstream_model", "enabled", "route_id", "upstream_path", "note"];

    public static Command Build(CliContext context)
    {
        var command = new Command("route", "Routes: model aliases of a group");
        command.AddGroupList(context, "routes", "List the routes of a group", Columns);

        var showRef = new Argument<string>("route") { Description = "Alias or route id" };
        var showGroup = CliOptions.Group();
        command.Add(new Command("show", "Show one route and its fallbacks") { showRef, showGroup }.WithAdminAction(context, async (parse, admin, ct) =>
        {
            var routeId = await ResolveAsync(admin, parse.GetRequiredValue(showGroup), parse.GetRequiredValue(showRef), ct);
            var answer = await admin.GetAsync($"admin/llm/routes/{routeId}", ct);
            answer["route"]!["fallbacks"] = (await admin.GetAsync($"admin/llm/routes/{routeId}/providers", ct))["route_providers"]?.DeepClone();
            return answer;
        }, AdminCommand.Fields("route")));

        var addAlias = new Argument<string>("alias");
        var addGroup = CliOptions.Group();
        var addFields = Fields();
        var fallbacks = new Option<string[]>("--fallback") { Description = "PROVIDER[:MODEL] tried when the main provider fails; repeat in order" };
        command.Add(new Command("add", "Create a route") { addAlias, addGroup, fallbacks }.WithFields(addFields).WithAdminAction(context, async (parse, admin, ct) =>
        {
            var body = BodyField.Body(parse, addFields, new JsonObject { ["alias"] = parse.GetValue(addAlias) });
            var answer = await admin.PostAsync($"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(addGroup))}/routes", body, ct);
            var routeId = answer["route"]!["route_id"]!.GetValue<string>();
            var priority = 0;
            foreach (var fallback in parse.GetValue(fallbacks) ?? [])
            {
                await admin.PostAsync($"admin/llm/routes/{routeId}/providers", Fallback(fallback, priority++), ct);
            }
            return answer;
        }, AdminCommand.Fields("route")));

        var editRef = new Argument<string>("route") { Description = "Alias or route id" };
        var editGroup = CliOptions.Group();
        var editFields = Fields();
        command.Add(new Command("edit", "Change a route") { editRef, editGroup }.WithFields(editFields).WithAdminAction(context, async (parse, admin, ct) =>
        {
            var routeId = await ResolveAsync(admin, parse.GetRequiredValue(editGroup), parse.GetRequiredValue(editRef), ct);
            return await admin.PatchAsync($"admin/llm/routes/{routeId}", BodyField.Body(parse, editFields), ct);
        }, AdminCommand.Fields("route")));

        var removeRef = new Argument<string>("route") { Description = "Alias or route id" };
        var removeGroup = CliOptions.Group();
        command.Add(new Command("remove", "Delete a route") { removeRef, removeGroup }.WithAdminAction(context, async (parse, admin, ct) =>
        {
            var routeId = await ResolveAsync(admin, parse.GetRequiredValue(removeGroup), parse.GetRequiredValue(removeRef), ct);
            return await admin.DeleteAsync($"admin/llm/routes/{routeId}", ct);
        }, AdminCommand.Line(answer => answer["message"]?.ToString() ?? "deleted")));
        return command;
    }

    /// <summary>The route id of an alias (or of an id) in a group.</summary>
    public static async Task<string> ResolveAsync(AdminClient admin, string groupId, string reference, CancellationToken cancellationToken)
    {
        var routes = (await admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(groupId)}/routes", cancellationToken))["routes"]?.AsArray() ?? [];
        var routeId = ItemReference.IdOf(routes, reference, "route_id", "alias", $"routes in group '{groupId}'")
            ?? throw new CliException($"no route '{reference}' in group '{groupId}'");
        return Uri.EscapeDataString(routeId);
    }

    /// <summary>PROVIDER or PROVIDER:MODEL as a route-provider body; without a model the route's own model is used.</summary>
    public static JsonObject Fallback(string text, int priority)
    {
        var colon = text.IndexOf(':');
        var body = new JsonObject { ["provider_id"] = colon > 0 ? text[..colon] : text, ["priority"] = priority };
        if (colon > 0)
        {
            body["upstream_model"] = text[(colon + 1)..];
        }
        return body;
    }

    private static BodyField[] Fields() =>
    [
        BodyField.Text("--provider", "provider_id", "Provider id the alias goes to"),
        BodyField.Text("--model", "upstream_model", "Model name at the provider"),
        BodyField.Text("--path", "upstream_path", "Upstream path for /v1/generations routes"),
        BodyField.Text("--note", "note", "Free-form note"),
        BodyField.Flag("--enabled", "enabled", "true or false"),
        BodyField.Flag("--allow-visitors", "allow_visitors", "true: visitor keys may call this alias"),
    ];
}
