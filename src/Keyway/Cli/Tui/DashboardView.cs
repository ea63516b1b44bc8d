using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>How the live dashboard looks: figures, requests per hour, resting keys and the newest requests.</summary>
public static class DashboardView
{
    private static readonly string[] RequestColumns = ["time", "alias", "provider", "status", "in", "out", "ms", "error"];

    public static IRenderable Render(DashboardSnapshot snapshot, string gateway, TimeSpan refresh) => new Rows(
        TuiView.Title("dashboard"),
        Status(gateway, snapshot.At, refresh),
        Figures(snapshot),
        Section("cooling keys"),
        Resting(snapshot.RestingKeys),
        Section("last requests"),
        LastRequests(snapshot.LastRequests),
        Section("requests per hour (UTC)"),
        Hours(snapshot.Hours),
        Text.Empty,
        Hints());

    /// <summary>The dashboard while the gateway does not answer: it keeps trying at each refresh.</summary>
    public static IRenderable Unreachable(string message, DateTimeOffset at, TimeSpan refresh) => new Rows(
        TuiView.Title("dashboard"),
        Status("-", at, refresh),
        new Markup($"[red]{Markup.Escape(message)}[/]"),
        Text.Empty,
        Hints());

    private static IRenderable Status(string gateway, DateTimeOffset at, TimeSpan refresh) =>
        new Markup($"[grey]{Markup.Escape(gateway)} · {at.UtcDateTime:HH:mm:ss} UTC · refreshes every {refresh.TotalSeconds:0} s[/]");

    private static IRenderable Hints() => TuiView.Hint("r refresh now · Esc back · q quit");

    private static IRenderable Section(string title) => new Markup($"[bold]{Markup.Escape(title)}[/]");

    private static IRenderable Figures(DashboardSnapshot s)
    {
        var table = new Table().Border(TableBorder.Rounded);
        string[] names = ["requests/s (1 min)", "requests", "errors", "errors (1 min)", "tokens in", "tokens out", "mean latency"];
        foreach (var name in names)
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }
        table.AddRow(
            s.RequestsPerSecond.ToString("0.00", CultureInfo.InvariantCulture),
            Count(s.Requests),
            s.Errors > 0 ? $"[red]{Count(s.Errors)}[/]" : "0",
            s.LastMinuteErrors > 0 ? $"[red]{Count(s.LastMinuteErrors)}[/]" : "0",
            Count(s.InputTokens),
            Count(s.OutputTokens),
            $"{s.MeanLatencyMs.ToString("0", CultureInfo.InvariantCulture)} ms");
        return table;
    }

    private static IRenderable Hours(IReadOnlyList<DashboardHour> hours)
    {
        if (hours.Count == 0)
        {
            return new Markup("[grey](no requests in the last 24 h)[/]");
        }
        var chart = new BarChart().Width(60);
        foreach (var hour in hours)
        {
            chart.AddItem(hour.Errors > 0 ? $"{hour.Hour} ({hour.Errors} err)" : hour.Hour, hour.Requests, hour.Errors > 0 ? Color.Red : Color.Green);
        }
        return chart;
    }

    private static IRenderable Resting(IReadOnlyList<RestingKey> keys)
    {
        if (keys.Count == 0)
        {
            return new Markup("[green]none: every key is usable[/]");
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("provider", "key", "state", "until", "reason");
        foreach (var key in keys)
        {
            table.AddRow(Cells(key.ProviderId, key.Key, key.State, key.Until ?? "-", key.Reason ?? "-"));
        }
        return table;
    }

    private static IRenderable LastRequests(IReadOnlyList<JsonNode> rows)
    {
        if (rows.Count == 0)
        {
            return new Markup("[grey](none yet)[/]");
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns(RequestColumns);
        foreach (var row in rows)
        {
            var time = DateTimeOffset.TryParse(row["created_at"]?.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
                : "-";
            table.AddRow(Cells(time, Cell(row, "route_alias"), Cell(row, "provider_id"), Cell(row, "status_code"),
                Cell(row, "input_tokens"), Cell(row, "output_tokens"), Cell(row, "latency_ms"), Cell(row, "error")));
        }
        return table;
    }

    private static string Cell(JsonNode row, string field) => CliOutput.Cell(row[field]);

    private static IRenderable[] Cells(params string[] values) => [.. values.Select(value => new Text(value))];

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
