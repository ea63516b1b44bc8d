using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>
/// How the live dashboard looks: figures, resting keys, the newest requests and requests per hour, laid out anew at each
/// drawing for the terminal's height (<see cref="DashboardPlan"/>); what a short terminal leaves out is counted.
/// </summary>
public static class DashboardView
{
    private static readonly string[] FigureColumns = ["requests/s (1 min)", "requests", "errors", "errors (1 min)", "tokens in", "tokens out", "mean latency"];

    private static readonly string[] RestingColumns = ["provider", "key", "state", "until (UTC)", "reason"];

    private static readonly string[] RequestColumns = ["time (UTC)", "key", "alias", "provider", "status", "in", "out", "ms", "error"];

    public static IRenderable Render(DashboardSnapshot snapshot, string gateway, TimeSpan refresh)
    {
        var plans = DashboardPlan.Shrinking(snapshot).ToList();
        return new HeightFit(plans.Count, index => Layout(snapshot, gateway, refresh, plans[index]));
    }

    /// <summary>The dashboard while the gateway does not answer: it keeps trying at each refresh.</summary>
    public static IRenderable Unreachable(string message, DateTimeOffset at, TimeSpan refresh) => new Rows(
        TuiView.Title("dashboard"),
        Status("-", at, refresh),
        new Markup($"[red]{Markup.Escape(message)}[/]"),
        Text.Empty,
        Hints());

    private static Rows Layout(DashboardSnapshot snapshot, string gateway, TimeSpan refresh, DashboardPlan plan)
    {
        List<IRenderable> lines = [TuiView.Title("dashboard"), Status(gateway, snapshot.At, refresh), Figures(snapshot, plan.Roomy), Section("cooling keys")];
        lines.AddRange(Resting(snapshot.RestingKeys, plan));
        lines.Add(RequestsTitle(snapshot.LastRequests, plan.Requests));
        lines.AddRange(LastRequests(snapshot, plan));
        lines.AddRange(Hours(snapshot.Hours, plan));
        if (plan.Roomy)
        {
            lines.Add(Text.Empty);
        }
        lines.Add(Hints());
        return new Rows(lines);
    }

    private static IRenderable Status(string gateway, DateTimeOffset at, TimeSpan refresh) =>
        TuiView.OneLine(new Markup($"[grey]{Markup.Escape(gateway)} · {at.UtcDateTime:HH:mm:ss} UTC · refreshes every {refresh.TotalSeconds:0} s[/]"));

    private static IRenderable Hints() => TuiView.Hint("r refresh now · Esc back · q quit");

    /// <summary>A section's title in bold, then <paramref name="detail"/> (markup) on the same line.</summary>
    private static IRenderable Section(string title, string detail = "") => TuiView.OneLine(new Markup($"[bold]{Markup.Escape(title)}[/]{detail}"));

    /// <summary>Roomy: a boxed table. Compact: one sentence, wrapped at the terminal's width, the errors before the rest.</summary>
    private static IRenderable Figures(DashboardSnapshot s, bool roomy)
    {
        var rate = s.RequestsPerSecond.ToString("0.00", CultureInfo.InvariantCulture);
        var errors = s.Errors > 0 ? $"[red]{Count(s.Errors)}[/]" : "0";
        var lastMinuteErrors = s.LastMinuteErrors > 0 ? $"[red]{Count(s.LastMinuteErrors)}[/]" : "0";
        var latency = $"{s.MeanLatencyMs.ToString("0", CultureInfo.InvariantCulture)} ms";
        if (!roomy)
        {
            return new Markup($"{Count(s.Requests)} requests · {errors} errors · last minute {rate} req/s, {lastMinuteErrors} errors · " +
                $"tokens {Count(s.InputTokens)} in, {Count(s.OutputTokens)} out · mean latency {latency}");
        }
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var name in FigureColumns)
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }
        return table.AddRow(rate, Count(s.Requests), errors, lastMinuteErrors, Count(s.InputTokens), Count(s.OutputTokens), latency);
    }

    /// <summary>The listed resting keys, then how many more there are and on which providers.</summary>
    private static IEnumerable<IRenderable> Resting(IReadOnlyList<RestingKey> keys, DashboardPlan plan)
    {
        if (keys.Count == 0)
        {
            yield return new Markup("[green]none: every key is usable[/]");
            yield break;
        }
        if (plan.RestingKeys > 0)
        {
            yield return Table(plan.Roomy, RestingColumns, ["reason"], keys.Take(plan.RestingKeys)
                .Select(key => new[] { key.ProviderId, key.Key, key.State, TuiView.Time(key.Until, plan.Roomy), key.Reason ?? "-" }.Select(Markup.Escape)));
        }
        var more = keys.Skip(plan.RestingKeys).ToList();
        if (more.Count > 0)
        {
            var providers = string.Join(", ", more.Select(key => key.ProviderId).Distinct());
            yield return TuiView.OneLine(new Markup($"[yellow]+{more.Count} more: {Markup.Escape(providers)}[/]"));
        }
    }

    /// <summary>"last requests", and when some are not listed, how many and how many of those failed.</summary>
    private static IRenderable RequestsTitle(IReadOnlyList<JsonNode> rows, int listed)
    {
        if (listed == rows.Count)
        {
            return Section("last requests");
        }
        var errors = rows.Skip(listed).Count(DashboardSnapshot.IsError);
        var (shown, failed) = listed == 0 ? ($"{rows.Count} not shown", "with errors") : ($"newest {listed} of {rows.Count}", "older with errors");
        return Section("last requests", $" · {shown}" + (errors > 0 ? $" · [red]{errors} {failed}[/]" : ""));
    }

    private static IEnumerable<IRenderable> LastRequests(DashboardSnapshot snapshot, DashboardPlan plan)
    {
        var rows = snapshot.LastRequests;
        if (rows.Count == 0)
        {
            yield return new Markup("[grey](none yet)[/]");
        }
        else if (plan.Requests > 0)
        {
            yield return Table(plan.Roomy, RequestColumns, ["key", "error"], rows.Take(plan.Requests).Select(row => new[]
            {
                Markup.Escape(TuiView.Time(row["created_at"]?.ToString(), plan.Roomy)), Markup.Escape(IssuedKeyNames.Of(row, snapshot.KeyNames)),
                Cell(row, "route_alias"), Cell(row, "provider_id"),
                DashboardSnapshot.IsError(row) ? $"[red]{Cell(row, "status_code")}[/]" : Cell(row, "status_code"),
                Cell(row, "input_tokens"), Cell(row, "output_tokens"), Cell(row, "latency_ms"), Cell(row, "error"),
            }));
        }
    }

    /// <summary>The newest hours as bars, or else on one line, newest first, cut at the terminal's width.</summary>
    private static IEnumerable<IRenderable> Hours(IReadOnlyList<DashboardHour> hours, DashboardPlan plan)
    {
        const string title = "requests per hour (UTC)";
        if (plan.HourBars > 0)
        {
            yield return Section(title);
            var chart = new BarChart().Width(60);
            foreach (var hour in hours.TakeLast(plan.HourBars))
            {
                chart.AddItem(hour.Errors > 0 ? $"{hour.Hour} ({hour.Errors} err)" : hour.Hour, hour.Requests, hour.Errors > 0 ? Color.Red : Color.Green);
            }
            yield return chart;
        }
        else if (plan.HourLine)
        {
            var newestFirst = hours.Reverse().Select(hour => $"{Markup.Escape(hour.Hour)} {hour.Requests}" + (hour.Errors > 0 ? $" [red]({hour.Errors} err)[/]" : ""));
            yield return Section(title, ": " + (hours.Count == 0 ? "[grey](no requests in the last 24 h)[/]" : string.Join(" · ", newestFirst)));
        }
    }

    /// <summary>
    /// Roomy: bordered, a long cell wrapped. Compact: no border, one space between columns, one line a row, each cell
    /// (markup) cut with "…" at its column's width; when the row is too wide, the <paramref name="yielding"/> columns are
    /// narrowed first (Spectre narrows only columns that may wrap, before every column evenly), so the last requests'
    /// alias and status stay readable in 60 columns.
    /// </summary>
    private static Table Table(bool roomy, string[] columns, string[] yielding, IEnumerable<IEnumerable<string>> rows)
    {
        var table = new Table().Border(roomy ? TableBorder.Simple : TableBorder.None);
        foreach (var column in columns)
        {
            table.AddColumn(roomy
                ? new TableColumn(new Markup(Markup.Escape(column)))
                : new TableColumn(TuiView.OneLine(new Markup($"[bold]{Markup.Escape(column)}[/]")))
                {
                    Padding = new Padding(0, 0, 1, 0),
                    NoWrap = !yielding.Contains(column),
                });
        }
        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(cell => roomy ? new Markup(cell) : TuiView.OneLine(new Markup(cell)))]);
        }
        return table;
    }

    private static string Cell(JsonNode row, string field) => Markup.Escape(CliOutput.Cell(row[field]));

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
