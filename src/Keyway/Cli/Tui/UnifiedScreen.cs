using System.Text.Json.Nodes;

namespace Keyway.Cli.Tui;

/// <summary>The group's unified model: what it points at, switch it to another route, pin one upstream key or go back to auto.</summary>
public static class UnifiedScreen
{
    public static Task RunAsync(TuiSession session) => session.Ui.LoopAsync($"unified model of {session.Group}", async () =>
    {
        var current = await session.Admin.GetAsync(UnifiedCommands.PathOf(session.Group), session.Token);
        MenuItem<Func<Task>>[] items =
        [
            new("Switch model: point it at another route", () => SwitchModelAsync(session)),
            new("Switch key: pin one upstream key, or auto", () => SwitchKeyAsync(session, current["unified"])),
        ];
        return (TuiView.Facts(("unified model", UnifiedCommands.Describe(current))), items);
    });

    private static async Task SwitchModelAsync(TuiSession session)
    {
        var routes = await session.ListAsync("routes");
        var items = routes.Select(r => r["alias"]!.ToString()).Select(alias => new MenuItem<string>(alias, alias)).ToList();
        if (await session.Ui.ChooseAsync("switch model: route", null, items) is { } alias)
        {
            var answer = await UnifiedCommands.SwitchModelAsync(session.Admin, session.Group, alias, null, session.Token);
            await session.Ui.ShowAsync("unified model switched", UnifiedCommands.Describe(answer));
        }
    }

    /// <summary>The keys of the provider behind the unified model's route, plus auto.</summary>
    private static async Task SwitchKeyAsync(TuiSession session, JsonNode? unified)
    {
        if (unified is null)
        {
            throw new CliException("no unified model is set: switch the model to a route first");
        }
        var route = (await session.ListAsync("routes")).FirstOrDefault(r => r["route_id"]?.ToString() == unified["route_id"]?.ToString())
            ?? throw new CliException($"the unified model's route {unified["route_alias"]} is gone");
        var provider = (await session.Admin.GetAsync($"admin/llm/providers/{Uri.EscapeDataString(route["provider_id"]!.ToString())}", session.Token))["provider"];
        var items = (provider?["api_keys"]?.AsArray() ?? []).OfType<JsonNode>()
            .Select(key => key["name"]!.ToString())
            .Select(name => new MenuItem<string>(name, name))
            .Prepend(new("auto: the pool chooses", "auto"))
            .ToList();
        if (await session.Ui.ChooseAsync($"switch key: keys of {route["provider_id"]}", null, items) is { } keyName)
        {
            var answer = await UnifiedCommands.SwitchKeyAsync(session.Admin, session.Group, keyName, session.Token);
            await session.Ui.ShowAsync("unified key switched", UnifiedCommands.Describe(answer));
        }
    }
}
