using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>
/// The live dashboard: fetched from /admin/llm/stats, stats/series, health and logs, redrawn in place at every refresh
/// (paced by the session's TimeProvider) or key; Esc goes back, q quits.
/// </summary>
public static class DashboardScreen
{
    public static async Task RunAsync(TuiSession session)
    {
        var ui = session.Ui;
        ui.Console.Clear(home: true);
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(session.Token);
        Task<ConsoleKeyInfo>? key = null;
        await ui.Console.Live(Text.Empty).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async live =>
        {
            while (true)
            {
                live.UpdateTarget(await FrameAsync(session));
                live.Refresh();
                key ??= ui.ReadKeyAsync();
                if (await Task.WhenAny(key, Task.Delay(session.Refresh, session.Time, leave.Token)) != key)
                {
                    continue;
                }
                var pressed = await key;
                key = null;
                if (TuiKeys.IsQuit(pressed))
                {
                    throw ui.Quit();
                }
                if (TuiKeys.IsBack(pressed))
                {
                    await leave.CancelAsync();
                    return;
                }
            }
        });
    }

    private static async Task<IRenderable> FrameAsync(TuiSession session)
    {
        var now = session.Time.GetUtcNow();
        try
        {
            var admin = session.Admin;
            var since = (now - DashboardSnapshot.RateWindow).ToUnixTimeMilliseconds();
            Task<JsonNode>[] calls =
            [
                admin.GetAsync("admin/llm/stats", session.Token),
                admin.GetAsync($"admin/llm/stats?since={since}", session.Token),
                admin.GetAsync("admin/llm/stats/series", session.Token),
                admin.GetAsync("admin/llm/health", session.Token),
                admin.GetAsync($"admin/llm/logs?limit={DashboardSnapshot.RequestsShown}", session.Token),
            ];
            var answers = await Task.WhenAll(calls);
            var snapshot = DashboardSnapshot.From(now, answers[0], answers[1], answers[2], answers[3], answers[4]);
            return DashboardView.Render(snapshot, admin.BaseUrl.ToString().TrimEnd('/'), session.Refresh);
        }
        catch (CliException e)
        {
            return DashboardView.Unreachable(e.Message, now, session.Refresh);
        }
    }
}
