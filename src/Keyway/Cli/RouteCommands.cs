using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// `keyway route list|show|add|edit|remove|test`: aliases of a group bound to a provider's upstream model, with optional
/// fallbacks (`--fallback PROVIDER[:MODEL]`, tried in the order given; on `edit` they replace the route's). A route is
/// named by its alias or its id.
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
        var addFallbacks = FallbackOption("PROVIDER[:MODEL] tried when the main provider fails; repeat in order");
        command.Add(new Command("add", "Create a route") { addAlias, addGroup, addFallbacks }.WithFields(addFields).WithAdminAction(context, async (parse, admin, ct) =>
        {
            var body = BodyField.Body(parse, addFields, new JsonObject { ["alias"] = parse.GetValue(addAlias) });
            var answer = await admin.PostAsync($"admin/llm/groups/{Uri.EscapeDataString(parse.GetRequiredValue(addGroup))}/routes", body, ct);
            var routeId = Uri.EscapeDataString(answer["route"]!["route_id"]!.GetValue<string>());
            await SetFallbacksAsync(admin, routeId, [], Fallbacks(parse.GetValue(addFallbacks)), ct);
            return answer;
        }, AdminCommand.Fields("route")));

        var editRef = new Argument<string>("route") { Description = "Alias or route id" };
        var editGroup = CliOptions.Group();
        var editFields = Fields();
        var editFallbacks = FallbackOption("Replaces the route's fallbacks: PROVIDER[:MODEL], repeat in order; \"\" removes them all");
        command.Add(new Command("edit", "Change a route") { editRef, editGroup, editFallbacks }.WithFields(editFields).WithAdminAction(context, async (parse, admin, ct) =>
        {
            var routeId = await ResolveAsync(admin, parse.GetRequiredValue(editGroup), parse.GetRequiredValue(editRef), ct);
            var body = BodyField.Body(parse, editFields);
            var answer = body.Count > 0 ? await admin.PatchAsync($"admin/llm/routes/{routeId}", body, ct) : await admin.GetAsync($"admin/llm/routes/{routeId}", ct);
            if (parse.GetResult(editFallbacks) is not null)
            {
                var stale = (await admin.GetAsync($"admin/llm/routes/{routeId}/providers", ct))["route_providers"]?.AsArray() ?? [];
                await SetFallbacksAsync(admin, routeId, stale.Select(rp => rp!["rp_id"]!.ToString()), Fallbacks(parse.GetValue(editFallbacks)), ct);
            }
            return answer;
        }, AdminCommand.Fields("route")));

        var removeRef = new Argument<string>("route") { Description = "Alias or route id" };
        var removeGroup = CliOptions.Group();
        command.Add(new Command("remove", "Delete a route") { removeRef, removeGroup }.WithAdminAction(context, async (parse, admin, ct) =>
        {
            var routeId = await ResolveAsync(admin, parse.GetRequiredValue(removeGroup), parse.GetRequiredValue(removeRef), ct);
            return await admin.DeleteAsync($"admin/llm/routes/{routeId}", ct);
        }, AdminCommand.Line(answer => answer["message"]?.ToString() ?? "deleted")));

        var testRef = new Argument<string>("route") { Description = "Alias or route id" };
        var testGroup = CliOptions.Group();
        command.Add(new Command("test", "One small real chat call as the route's next request would go; exit 1 when it fails") { testRef, testGroup }
            .WithAdminAction(context, async (parse, admin, ct) =>
            {
                var groupId = parse.GetRequiredValue(testGroup);
                var routeId = await ResolveAsync(admin, groupId, parse.GetRequiredValue(testRef), ct);
                var alias = (await admin.GetAsync($"admin/llm/routes/{routeId}", ct))["route"]?["alias"]?.DeepClone();
                return await admin.PostAsync("admin/llm/test", new JsonObject { ["group_id"] = groupId, ["alias"] = alias }, ct);
            }, AdminCommand.TestLine, AdminCommand.TestPassed));
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

    /// <summary>
    /// Makes <paramref name="fallbacks"/> (route-provider bodies without a priority) the route's fallbacks, tried in their
    /// order: the route providers <paramref name="staleIds"/> are deleted first.
    /// </summary>
    /// <param name="routeId">The route's id, escaped for the path (as <see cref="ResolveAsync"/> returns it).</param>
    public static async Task SetFallbacksAsync(
        AdminClient admin, string routeId, IEnumerable<string> staleIds, IEnumerable<JsonObject> fallbacks, CancellationToken cancellationToken)
    {
        foreach (var rpId in staleIds)
        {
            await admin.DeleteAsync($"admin/llm/route-providers/{Uri.EscapeDataString(rpId)}", cancellationToken);
        }
        var priority = 0;
        foreach (var fallback in fallbacks)
        {
            fallback["priority"] = priority++;
            await admin.PostAsync($"admin/llm/routes/{routeId}/providers", fallback, cancellationToken);
        }
    }

    private static Option<string[]> FallbackOption(string description) => new("--fallback") { Description = description };

    /// <summary>Each PROVIDER or PROVIDER:MODEL as a route-provider body (without a model the route's own is used); "" is none.</summary>
    private static IEnumerable<JsonObject> Fallbacks(string[]? texts) => (texts ?? []).Where(text => text.Length > 0).Select(text =>
    {
        var colon = text.IndexOf(':');
        var body = new JsonObject { ["provider_id"] = colon > 0 ? text[..colon] : text };
        if (colon > 0)
        {
            body["upstream_model"] = text[(colon + 1)..];
        }
        return body;
    });

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
