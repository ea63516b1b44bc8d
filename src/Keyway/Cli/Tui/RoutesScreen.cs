using System.Text.Json.Nodes;

namespace Keyway.Cli.Tui;

/// <summary>Routes of the group: add one, change its model or provider, enable or disable it, test it, remove it.</summary>
public static class RoutesScreen
{
    public static Task RunAsync(TuiSession session) => session.Ui.LoopAsync($"routes of {session.Group}", async () =>
    {
        var routes = await session.ListAsync("routes");
        return (null, routes.Select(route => new MenuItem<Func<Task>>(Label(route), () => RouteAsync(session, route)))
            .Prepend(new("+ Add a route", () => AddAsync(session)))
            .ToList());
    });

    private static async Task AddAsync(TuiSession session)
    {
        const string title = "add a route";
        if (await session.Ui.AskAsync(title, "Alias clients send as the model") is not { } alias
            || await PickProviderAsync(session, title) is not { } providerId
            || await session.Ui.AskAsync(title, $"Model name at {providerId}") is not { } model)
        {
            return;
        }
        var body = new JsonObject { ["alias"] = alias, ["provider_id"] = providerId, ["upstream_model"] = model };
        await session.Admin.PostAsync($"{session.GroupPath}/routes", body, session.Token);
        await session.Ui.ShowAsync("route added", $"{alias} → {providerId}/{model}");
    }

    private static async Task RouteAsync(TuiSession session, JsonNode route)
    {
        var path = $"admin/llm/routes/{Uri.EscapeDataString(route["route_id"]!.ToString())}";
        var alias = route["alias"]!.ToString();
        var enabled = route["enabled"]?.GetValue<bool>() == true;
        MenuItem<Func<Task>>[] items =
        [
            new("Change the upstream model", async () =>
            {
                if (await session.Ui.AskAsync($"route {alias}", "Model name", route["upstream_model"]?.ToString() ?? "") is { } model)
                {
                    await session.Admin.PatchAsync(path, new JsonObject { ["upstream_model"] = model }, session.Token);
                }
            }),
            new("Change the provider", async () =>
            {
                if (await PickProviderAsync(session, $"route {alias}") is { } providerId)
                {
                    await session.Admin.PatchAsync(path, new JsonObject { ["provider_id"] = providerId }, session.Token);
                }
            }),
            new(enabled ? "Disable" : "Enable", () => session.Admin.PatchAsync(path, new JsonObject { ["enabled"] = !enabled }, session.Token)),
            new("Test: one small chat call", () => ProvidersScreen.TestAsync(session, new JsonObject { ["group_id"] = session.Group, ["alias"] = alias })),
            new("Remove", async () =>
            {
                if (await session.Ui.ConfirmAsync($"remove route {alias}?"))
                {
                    await session.Admin.DeleteAsync(path, session.Token);
                }
            }),
        ];
        if (await session.Ui.ChooseAsync($"route {alias}", TuiView.Facts(("goes to", $"{route["provider_id"]}/{route["upstream_model"]}")), items) is { } action)
        {
            await action();
        }
    }

    private static async Task<string?> PickProviderAsync(TuiSession session, string title)
    {
        var providers = await session.ListAsync("providers");
        var items = providers.Select(p => p["provider_id"]!.ToString()).Select(id => new MenuItem<string>(id, id)).ToList();
        return await session.Ui.ChooseAsync($"{title}: provider", null, items);
    }

    private static string Label(JsonNode route) =>
        $"{route["alias"],-24} → {route["provider_id"]}/{route["upstream_model"]}" + (route["enabled"]?.GetValue<bool>() == false ? "  (disabled)" : "");
}
