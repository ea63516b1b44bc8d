using System.Text.Json.Nodes;
using Spectre.Console;

namespace Keyway.Cli.Tui;

/// <summary>
/// The group's issued db_sk_ keys, each with its expiry and state: create one (its plaintext is shown), show one's
/// plaintext again, disable or enable, remove.
/// </summary>
public static class IssuedKeysScreen
{
    /// <summary>The cells a key's name takes in the list: with the rest of its line, 80 columns hold it whole.</summary>
    private const int NameCells = 18;

    public static Task RunAsync(TuiSession session) => session.Ui.LoopAsync($"issued keys of {session.Group}", async () =>
    {
        var keys = await session.ListAsync("keys");
        var now = session.Time.GetUtcNow();
        return (null, keys.Select(key => new MenuItem<Func<Task>>(Label(key, now), () => KeyAsync(session, key)))
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
            new Markup($"[yellow]{Markup.Escape(KeyCommands.PlaintextNote(created["key"]?["key_id"]?.ToString()))}[/]"));
        await session.Ui.ShowAsync("key created", body);
    }

    private static async Task KeyAsync(TuiSession session, JsonNode key)
    {
        var path = $"admin/llm/keys/{Uri.EscapeDataString(key["key_id"]!.ToString())}";
        var enabled = key["enabled"]?.GetValue<bool>() == true;
        MenuItem<Func<Task>>[] items =
        [
            new(enabled ? "Disable" : "Enable", () => session.Admin.PatchAsync(path, new JsonObject { ["enabled"] = !enabled }, session.Token)),
            new("Show its plaintext", async () =>
                await session.Ui.ShowAsync($"key {key["name"]}", (await session.Admin.GetAsync($"{path}/plaintext", session.Token))["plaintext"]?.ToString() ?? "")),
            new("Remove (revoke)", async () =>
            {
                if (await session.Ui.ConfirmAsync($"revoke key {key["name"]}? Clients using it stop working."))
                {
                    await session.Admin.DeleteAsync(path, session.Token);
                }
            }),
        ];
        var header = TuiView.Facts(
            ("prefix", key["key_prefix"]?.ToString() ?? "-"),
            ("state", IssuedKeyState.Of(key, session.Time.GetUtcNow())),
            ("expires", TuiView.Time(key["expires_at"])),
            ("last used", TuiView.Time(key["last_used_at"])));
        if (await session.Ui.ChooseAsync($"issued key {key["name"]}", header, items) is { } action)
        {
            await action();
        }
    }

    /// <summary>
    /// One line that 80 columns hold whole: a long name is shortened, so the state at the end ("(disabled)", "(expired)")
    /// is never the part cut off; days without times (the key's own screen has the times).
    /// </summary>
    private static string Label(JsonNode key, DateTimeOffset now)
    {
        var state = IssuedKeyState.Of(key, now);
        return $"{TuiView.Fit(key["name"]?.ToString() ?? "", NameCells)} {key["key_prefix"],-15} exp {TuiView.Day(key["expires_at"]),-10} used {TuiView.Day(key["last_used_at"]),-10}"
            + (state == IssuedKeyState.Active ? "" : $"  ({state})");
    }
}
