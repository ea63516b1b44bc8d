using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>
/// The live dashboard: fetched from /admin/llm/stats, stats/series, health and logs (and the issued keys' names the
/// requests are shown with, read again only for a key not seen yet), redrawn in place at every refresh
/// (paced by the session's TimeProvider) or key, and at once at the terminal's new size when it is resized, laid out
/// for that size at each drawing (<see cref="DashboardView"/>); Esc goes back, q quits.
/// </summary>
public static class DashboardScreen
{
    public static async Task RunAsync(TuiSession session)
    {
        var ui = session.Ui;
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(session.Token);
        var keyNames = new IssuedKeyNames(null);
        IRenderable? frame = null;
        // A resize ends the live display and starts another: Spectre's keeps the largest size it has drawn and would
        // pad the next frames to the old width and height. The frame it showed is drawn again, not fetched anew, and fits
        // the new height; only a terminal shorter than the dashboard's least layout still gets the display's "…". The
        // display clears itself when it ends, rather than printing a frame taller than the terminal in full.
        while (!leave.IsCancellationRequested)
        {
            ui.Clear();
            await ui.Console.Live(Text.Empty).AutoClear(true).Overflow(VerticalOverflow.Ellipsis).StartAsync(async live =>
            {
                while (true)
                {
                    live.UpdateTarget(frame ??= await FrameAsync(session, keyNames));
                    live.Refresh();
                    switch (await ui.ReadKeyAsync(Task.Delay(session.Refresh, session.Time, leave.Token)))
                    {
                        case { } key when TuiKeys.IsQuit(key):
                            throw ui.Quit();
                        case { } key when TuiKeys.IsBack(key):
                            await leave.CancelAsync();
                            return;
                        case null when ui.Resized:
                            return;
                    }
                    frame = null;
                }
            });
        }
    }

    private static async Task<IRenderable> FrameAsync(TuiSession session, IssuedKeyNames keyNames)
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
            var names = await keyNames.ForAsync(admin, DashboardSnapshot.Newest(answers[4]).Select(row => row["api_key_id"]?.ToString()), session.Token);
            var snapshot = DashboardSnapshot.From(now, answers[0], answers[1], answers[2], answers[3], answers[4], names);
            return DashboardView.Render(snapshot, admin.BaseUrl.ToString().TrimEnd('/'), session.Refresh);
        }
        catch (CliException e)
        {
            return DashboardView.Unreachable(e.Message, now, session.Refresh);
        }
    }
}
