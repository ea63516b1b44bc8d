using System.Text.Json.Nodes;
using Spectre.Console;

namespace Keyway.Cli.Tui;

/// <summary>
/// Providers of the group and, for one provider, its upstream key pool: add a key, enable or disable one, move it up
/// or down the pool's order, reset cooldowns (one key or all), and test the provider with one small chat call.
/// </summary>
public static class ProvidersScreen
{
    public static Task RunAsync(TuiSession session) => session.Ui.LoopAsync($"providers of {session.Group}", async () =>
    {
        var providers = await session.ListAsync("providers");
        return (null, providers.Select(p => new MenuItem<Func<Task>>(Label(p), () => ProviderAsync(session, p["provider_id"]!.ToString()))).ToList());
    });

    private static Task ProviderAsync(TuiSession session, string providerId) => session.Ui.LoopAsync($"provider {providerId}", async () =>
    {
        var provider = (await session.Admin.GetAsync(PathOf(providerId), session.Token))["provider"]!;
        var pool = (provider["api_keys"]?.AsArray() ?? []).OfType<JsonNode>().ToList();
        var items = pool
            .Select((key, index) => new MenuItem<Func<Task>>(KeyLabel(key), () => KeyAsync(session, providerId, pool, index)))
            .Append(new("+ Add an upstream key", () => AddKeyAsync(session, providerId)))
            .Append(new("Reset every cooldown of this provider", () => ResetAsync(session, providerId, null)))
            .Append(new("Test: one small chat call", () => TestAsync(session, new JsonObject { ["provider_id"] = providerId })))
            .ToList();
        var header = TuiView.Facts(
            ("base url", provider["base_url"]?.ToString() ?? "-"),
            ("protocol", provider["protocol"]?.ToString() ?? "-"),
            ("routing", provider["routing_mode"]?.ToString() ?? "-"),
            ("enabled", CliOutput.Cell(provider["enabled"])));
        return (header, items);
    });

    /// <param name="pool">The provider's keys in the order the pool tries them; the key is the one at <paramref name="index"/>.</param>
    private static async Task KeyAsync(TuiSession session, string providerId, List<JsonNode> pool, int index)
    {
        var key = pool[index];
        var keyId = key["key_id"]!.ToString();
        var enabled = key["enabled"]?.GetValue<bool>() == true;
        List<MenuItem<Func<Task>>> items =
        [
            new(enabled ? "Disable this key" : "Enable this key", () => session.Admin.PatchAsync(
                $"{PathOf(providerId)}/keys/{Uri.EscapeDataString(keyId)}", new JsonObject { ["enabled"] = !enabled }, session.Token)),
            new("Reset its cooldown", () => ResetAsync(session, providerId, keyId)),
        ];
        if (index > 0)
        {
            items.Add(new("Move up: tried earlier", () => MoveAsync(session, providerId, pool, index, -1)));
        }
        if (index < pool.Count - 1)
        {
            items.Add(new("Move down: tried later", () => MoveAsync(session, providerId, pool, index, 1)));
        }
        if (await session.Ui.ChooseAsync($"upstream key {key["name"]}", new Text(KeyLabel(key)), items) is { } action)
        {
            await action();
        }
    }

    /// <summary>Swaps the key with its neighbour by sending the pool's whole new order in one write (PUT …/keys/order).</summary>
    private static Task MoveAsync(TuiSession session, string providerId, List<JsonNode> pool, int index, int step)
    {
        var order = pool.Select(key => key["key_id"]!.ToString()).ToList();
        (order[index], order[index + step]) = (order[index + step], order[index]);
        return KeyPoolOrderCommands.PutOrderAsync(session.Admin, providerId, order, session.Token);
    }

    private static async Task AddKeyAsync(TuiSession session, string providerId)
    {
        if (await session.Ui.AskAsync("add an upstream key", "Name") is not { } name
            || await session.Ui.AskAsync("add an upstream key", $"API key for {name}", secret: true) is not { } secret)
        {
            return;
        }
        await session.Admin.PostAsync($"{PathOf(providerId)}/keys", new JsonObject { ["name"] = name, ["api_key"] = secret }, session.Token);
    }

    private static async Task ResetAsync(TuiSession session, string providerId, string? keyId)
    {
        var query = keyId is null ? "" : $"?key_id={Uri.EscapeDataString(keyId)}";
        await session.Admin.PostAsync($"admin/llm/health/{Uri.EscapeDataString(providerId)}/reset{query}", new JsonObject(), session.Token);
        await session.Ui.ShowAsync("cooldown reset", keyId is null ? $"every key of {providerId} is usable again" : "the key is usable again");
    }

    /// <summary>POST /admin/llm/test with a provider or a route, the answer shown as one line.</summary>
    public static async Task TestAsync(TuiSession session, JsonObject target)
    {
        var test = (await session.Admin.PostAsync("admin/llm/test", target, session.Token))["test"];
        var verdict = test?["ok"]?.GetValue<bool>() == true ? "OK" : "FAILED";
        await session.Ui.ShowAsync("test",
            $"{verdict}: status {test?["status"]}, {test?["latency_ms"]} ms, model {test?["upstream_model"]}, key {test?["key"]}\n{test?["message"]}");
    }

    private static string PathOf(string providerId) => $"admin/llm/providers/{Uri.EscapeDataString(providerId)}";

    /// <summary>The provider with how many of its keys are down, and how many are cooling for some models only.</summary>
    private static string Label(JsonNode provider)
    {
        var health = (provider["api_keys"]?.AsArray() ?? []).Select(key => key?["health"]).ToList();
        var down = health.Count(UpstreamKeyHealth.IsDown);
        var someModels = health.Count(key => UpstreamKeyHealth.CoolingModels(key).Count > 0);
        return $"{provider["provider_id"],-20} {provider["protocol"],-17} {health.Count} key(s)"
            + (down > 0 ? $", {down} cooling" : "")
            + (someModels > 0 ? $", {someModels} cooling for some models" : "")
            + (provider["enabled"]?.GetValue<bool>() == false ? "  (disabled)" : "");
    }

    /// <summary>A pool key's state, until when it rests, or which models it is cooling for and until when.</summary>
    private static string KeyLabel(JsonNode key)
    {
        var health = key["health"];
        var models = UpstreamKeyHealth.CoolingModels(health);
        var detail = health?["cooldown_until"] is { } time ? $" until {TuiView.Time(time)} UTC"
            : models.Count > 0 ? " for " + string.Join(", ", models.Select(cooling => $"{cooling.Model} until {TuiView.Time(cooling.Until)} UTC"))
            : "";
        return $"{key["name"],-16} {key["api_key"],-14} {health?["state"] ?? (key["enabled"]?.GetValue<bool>() == true ? "ok" : "disabled")}{detail}";
    }
}
