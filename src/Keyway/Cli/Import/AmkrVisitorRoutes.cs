using System.Text.Json.Nodes;

namespace Keyway.Cli.Import;

/// <summary>
/// AMKR's visitor key (amkr-visitor, visitor.py) calls a model by the name amkr-{id} alone, or by its id when that already
/// starts with amkr- (key_pool.py _visitor_routes), and is served only by the keys that allow visitors; the model's id, its
/// aliases and the unified model answer it 403 (proxy_handler.py). So a model with such keys gets a route of that name,
/// a copy of its id's route open to visitor keys (allow_visitors), and its other routes stay closed to them.
/// </summary>
internal static class AmkrVisitorRoutes
{
    public const string Prefix = "amkr-";

    /// <summary>Opens <paramref name="model"/> to visitors under its AMKR visitor name, once <paramref name="routes"/> holds every model's routes.</summary>
    public static void Open(AmkrModel model, JsonObject idRoute, JsonArray routes, List<string> skipped)
    {
        if (!model.Keys.Any(key => key.AllowVisitor))
        {
            return;
        }
        if (model.Id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            idRoute["allow_visitors"] = true;
            return;
        }
        var name = Prefix + model.Id;
        if (routes.Any(route => route?["alias"]?.ToString() == name))
        {
            skipped.Add($"model {model.Id}: AMKR's visitors call it {name}, which here is another route's name, so no route serves it to visitor keys");
            return;
        }
        var visitorRoute = (JsonObject)idRoute.DeepClone();
        visitorRoute["alias"] = name;
        visitorRoute["allow_visitors"] = true;
        routes.Add((JsonNode)visitorRoute);
    }
}
