using System.Text.Json.Nodes;
using Keyway.Cli.Tui;
using static Keyway.Tests.Cli.TuiDriver;

namespace Keyway.Tests.Cli;

/// <summary>The TUI's screen logic without a console: menu keys, text fields and the dashboard's figures.</summary>
public sealed class TuiStateTests
{
    [Fact]
    public void Menu_MovesWithWrapAround_ChoosesGoesBackAndQuits()
    {
        var menu = new MenuState<string>([new("a", "A"), new("b", "B"), new("c", "C")]);
        Assert.Equal(MenuOutcome.Stay, menu.Handle(Key(ConsoleKey.UpArrow)));
        Assert.Equal("C", menu.Selected);
        menu.Handle(Key(ConsoleKey.DownArrow));
        menu.Handle(Char('j'));
        Assert.Equal("B", menu.Selected);
        Assert.Equal(MenuOutcome.Chosen, menu.Handle(Key(ConsoleKey.Enter)));
        Assert.Equal(MenuOutcome.Back, menu.Handle(Key(ConsoleKey.Escape)));
        Assert.Equal(MenuOutcome.Quit, menu.Handle(Char('q')));
        Assert.Equal(MenuOutcome.Quit, menu.Handle(Char('Q')));
        Assert.Equal(MenuOutcome.Stay, new MenuState<string>([]).Handle(Key(ConsoleKey.Enter)));
        Assert.Equal("B", new MenuState<string>(menu.Items, cursor: 1).Selected);
        Assert.Equal("C", new MenuState<string>(menu.Items, cursor: 7).Selected);
    }

    [Fact]
    public void LineEditor_TypesQ_DeletesAndCancels()
    {
        var editor = new LineEditor("ab");
        Assert.Equal(LineOutcome.Editing, editor.Handle(Key(ConsoleKey.Backspace)));
        editor.Handle(Char('q'));
        editor.Handle(Key(ConsoleKey.DownArrow));
        Assert.Equal("aq", editor.Text);
        Assert.Equal(LineOutcome.Submitted, editor.Handle(Key(ConsoleKey.Enter)));
        Assert.Equal(LineOutcome.Cancelled, editor.Handle(Key(ConsoleKey.Escape)));
    }

    [Fact]
    public void DashboardSnapshot_ReadsTotalsLastMinuteHoursAndRestingKeys()
    {
        var at = DateTimeOffset.Parse("2026-12-02T10:30:00Z");
        var stats = JsonNode.Parse("""{"stats":{"total":120,"ok":117,"req_t":5000,"resp_t":700,"avg_latency":41.5}}""")!;
        var minute = JsonNode.Parse("""{"stats":{"total":30,"ok":29,"req_t":0,"resp_t":0,"avg_latency":0}}""")!;
        var series = JsonNode.Parse("""
            {"series":[
              {"time":"2026-12-02T10:00:00Z","route_alias":"a","requests":20,"errors":1},
              {"time":"2026-12-02T09:00:00Z","route_alias":"a","requests":5,"errors":0},
              {"time":"2026-12-02T10:00:00Z","route_alias":"b","requests":10,"errors":2}]}
            """)!;
        var health = JsonNode.Parse("""
            {"health":[
              {"provider_id":"p1","circuit_open":false,"keys":[
                {"name":"k1","state":"ok"},
                {"name":"k2","state":"cooling","cooldown_until":"2026-12-02T10:31:00Z","last_error":"429 rate limited"},
                {"name":"k3","state":"cooling","cooldown_until":null,"model_cooldowns":{"m":"2026-12-02T10:32:00Z"}}]},
              {"provider_id":"p2","circuit_open":true,"circuit_open_until":"2026-12-02T10:35:00Z","keys":[
                {"name":"k4","state":"quarantined","quarantine_reason":"401 invalid key"}]}]}
            """)!;
        var logs = JsonNode.Parse("""{"logs":[{"log_id":2},{"log_id":1}]}""")!;

        var snapshot = DashboardSnapshot.From(at, stats, minute, series, health, logs, new Dictionary<string, string>());

        Assert.Equal(3, snapshot.Errors);
        Assert.Equal(0.5, snapshot.RequestsPerSecond);
        Assert.Equal(1, snapshot.LastMinuteErrors);
        Assert.Equal([new DashboardHour("09:00", 5, 0), new DashboardHour("10:00", 30, 3)], snapshot.Hours);
        Assert.Equal(
            [
                new RestingKey("p1", "k2", "cooling", "2026-12-02T10:31:00Z", "429 rate limited"),
                new RestingKey("p1", "k3", "cooling for m", "2026-12-02T10:32:00Z", null),
                new RestingKey("p2", "(all: circuit open)", "open", "2026-12-02T10:35:00Z", null),
                new RestingKey("p2", "k4", "quarantined", null, "401 invalid key"),
            ],
            snapshot.RestingKeys);
        Assert.Equal(2, snapshot.LastRequests.Count);
    }
}
