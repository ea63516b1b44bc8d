using System.Text.Json.Nodes;
using Keyway.Admin;

namespace Keyway.Cli.Declarative;

/// <summary>
/// A route's <c>fallbacks: [{provider_id, upstream_model?, enabled?}]</c>, tried in the listed order; a fallback switched
/// off (<c>enabled: false</c>) keeps its place but is not tried. When the list differs from the gateway's, the route's
/// fallback targets are replaced as a whole (priorities 0, 1, … in file order).
/// </summary>
public static class RouteFallbacks
{
    public static async Task<List<PlannedChange>> PlanAsync(AdminClient admin, string groupId, JsonObject declared, JsonNode? currentRoute, CancellationToken cancellationToken)
    {
        if (declared["fallbacks"] is not JsonArray wanted)
        {
            return [];
        }
        var routeModel = declared["upstream_model"]?.ToString() ?? currentRoute?["upstream_model"]?.ToString();
        var existing = currentRoute is null
            ? []
            : (await admin.GetAsync($"admin/llm/routes/{Uri.EscapeDataString(currentRoute["route_id"]!.ToString())}/providers", cancellationToken))["route_providers"]?.AsArray() ?? [];
        var ordered = existing.OfType<JsonObject>().OrderBy(rp => rp["priority"]?.GetValue<int>()).ToList();
        var wantedShape = wanted.OfType<JsonObject>()
            .Select(f => Shape(f["provider_id"], f["upstream_model"]?.ToString() ?? routeModel, f["enabled"])).ToList();
        if (wantedShape.SequenceEqual(ordered.Select(rp => Shape(rp["provider_id"], rp["upstream_model"]?.ToString(), rp["enabled"]))))
        {
            return [];
        }
        var alias = declared["alias"]!.ToString();
        var stale = ordered.Select(rp => rp["rp_id"]!.ToString()).ToList();
        var what = $"fallbacks {groupId}/{alias}";
        var refusal = wanted.OfType<JsonObject>()
            .Select(fallback => DeclaredBodyCheck.Refusal(what, Body(fallback), AdminBodyCheck.Fallback))
            .FirstOrDefault(refused => refused is not null);
        return [new PlannedChange(currentRoute is null ? '+' : '~', what, string.Join(" → ", wantedShape), async (client, ct) =>
        {
            var routeId = await RouteCommands.ResolveAsync(client, groupId, alias, ct);
            await RouteCommands.SetFallbacksAsync(client, routeId, stale, wanted.OfType<JsonObject>().Select(Body), ct);
            return null;
        }, refusal)];
    }

    /// <summary>A fallback of the file as the admin API takes it (the priority is its place, set when it is sent).</summary>
    private static JsonObject Body(JsonObject fallback)
    {
        var body = new JsonObject { ["provider_id"] = fallback["provider_id"]?.DeepClone() };
        if (fallback["upstream_model"] is { } model)
        {
            body["upstream_model"] = model.DeepClone();
        }
        if (fallback["enabled"] is { } enabled)
        {
            body["enabled"] = enabled.DeepClone();
        }
        return body;
    }

    /// <summary>The route's fallbacks as the file writes them (export).</summary>
    public static async Task<JsonArray> ExportAsync(AdminClient admin, JsonNode route, CancellationToken cancellationToken)
    {
        var list = (await admin.GetAsync($"admin/llm/routes/{Uri.EscapeDataString(route["route_id"]!.ToString())}/providers", cancellationToken))["route_providers"]?.AsArray() ?? [];
        return new JsonArray([.. list.OfType<JsonObject>().OrderBy(rp => rp["priority"]?.GetValue<int>())
            .Select(rp => (JsonNode)new JsonObject
            {
                ["provider_id"] = rp["provider_id"]?.DeepClone(),
                ["upstream_model"] = rp["upstream_model"]?.DeepClone(),
                ["enabled"] = rp["enabled"]?.DeepClone(),
            })]);
    }

    /// <summary>How a fallback reads in the plan; an <c>enabled</c> that is not <c>true</c> is shown as written, so a
    /// value that is no boolean is sent on and refused by the admin API instead of being taken for its default.</summary>
    private static string Shape(JsonNode? providerId, string? model, JsonNode? enabled)
    {
        var switchedOn = enabled?.ToJsonString() ?? "true";
        return $"{providerId}:{model}" + switchedOn switch { "true" => "", "false" => " (off)", _ => $" (enabled: {switchedOn})" };
    }
}
