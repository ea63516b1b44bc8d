using System.Text.Json.Nodes;
using Spectre.Console;

namespace Keyway.Cli.Tui;

/// <summary>The group's issued db_sk_ keys: create one (its plaintext is shown this once), disable or enable, remove.</summary>
public static class IssuedKeysScreen
{
    public static Task RunAsync(TuiSession session) => session.Ui.LoopAsync($"issued keys of {session.Group}", async () =>
    {
        var keys = await session.ListAsync("keys");
        return (null, keys.Select(key => new MenuItem<Func<Task>>(Label(key), () => KeyAsync(session, key)))
            .Prepend(new("+ Create a key", () => CreateAsync(session)))
            .ToList());
    });

    private static async Task CreateAsync(TuiSession session)
    {
        if (await session.Ui.AskAsync("create a key", "Name (who or what uses it)") is not { } name)
        {
            return;
        }
        var created = await session.Admin.PostAsync($"{session.GroupPath}/keys", new JsonObject { ["name"] = name }, session.Token);
        var body = new Rows(
            new Markup($"Key [bold]{Markup.Escape(name)}[/] ({Markup.Escape(created["key"]?["key_id"]?.ToString() ?? "")}):"),
            new Panel(new Text(created["plaintext"]!.ToString())).Border(BoxBorder.Rounded),
            new Markup($"[yellow]{Markup.Escape(created["plaintext_note"]?.ToString() ?? "Copy it now: it is not shown again.")}[/]"));
        await session.Ui.ShowAsync("key created", body);
    }

    private static async Task KeyAsync(TuiSession session, JsonNode key)
    {
        var path = $"admin/llm/keys/{Uri.EscapeDataString(key["key_id"]!.ToString())}";
        var enabled = key["enabled"]?.GetValue<bool>() == true;
        MenuItem<Func<Task>>[] items =
        [
            new(enabled ? "Disable" : "Enable", () => session.Admin.PatchAsync(path, new JsonObject { ["enabled"] = !enabled }, session.Token)),
            new("Remove (revoke)", async () =>
            {
                if (await session.Ui.ConfirmAsync($"revoke key {key["name"]}? Clients using it stop working."))
                {
                    await session.Admin.DeleteAsync(path, session.Token);
                }
            }),
        ];
        if (await session.Ui.ChooseAsync($"issued key {key["name"]}", new Text(Label(key)), items) is { } action)
        {
            await action();
        }
    }

    private static string Label(JsonNode key) =>
        $"{key["name"],-24} {key["key_prefix"]}…  last used {CliOutput.Cell(key["last_used_at"])}" + (key["enabled"]?.GetValue<bool>() == false ? "  (disabled)" : "");
}
