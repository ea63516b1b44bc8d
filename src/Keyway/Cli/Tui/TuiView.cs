using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>How the TUI's screens look: functions from screen state to Spectre renderables, no input and no I/O.</summary>
public static class TuiView
{
    /// <summary>
    /// The menu in the terminal's height: a menu taller than that shows a window of items around the cursor (see
    /// <see cref="MenuWindow"/>), which scrolls as the cursor moves, where drawing every item cut off the rows past the
    /// terminal's bottom, the cursor among them. The window that fills the terminal ends on its bottom row (<see cref="FullScreen"/>).
    /// </summary>
    public static IRenderable Menu<T>(string title, IRenderable? header, MenuState<T> menu)
    {
        var windows = MenuWindow.Shrinking(menu.Items.Count, menu.Cursor).ToList();
        return new FullScreen(new HeightFit(windows.Count, index => Menu(title, header, menu, windows[index])));
    }

    private static Rows Menu<T>(string title, IRenderable? header, MenuState<T> menu, MenuWindow window)
    {
        var lines = new List<IRenderable> { Title(title) };
        if (header is not null)
        {
            lines.Add(header);
            lines.Add(Text.Empty);
        }
        if (menu.Items.Count == 0)
        {
            lines.Add(new Markup("[grey](none)[/]"));
        }
        if (window.Scrolls)
        {
            lines.Add(More("↑", window.Above));
        }
        for (var i = window.First; i < window.First + window.Count; i++)
        {
            var label = Markup.Escape(menu.Items[i].Label);
            lines.Add(OneLine(new Markup(i == menu.Cursor ? $"[bold black on deepskyblue1]> {label}[/]" : $"  {label}")));
        }
        if (window.Scrolls)
        {
            lines.Add(More("↓", window.Below));
        }
        lines.Add(Text.Empty);
        lines.Add(Hint("up/down move · Enter choose · Esc back · q quit"));
        return new Rows(lines);
    }

    /// <summary>A count of the items cut off on one side; an empty line when none are, so the window keeps its height.</summary>
    public static IRenderable More(string arrow, int items) => items == 0 ? Text.Empty : Hint($"  {arrow} {items} more");

    public static IRenderable Field(string title, string prompt, string text) =>
        new Rows(Title(title), new Markup($"{Markup.Escape(prompt)}: [bold]{Markup.Escape(text)}[/]_"), Text.Empty, Hint("Enter accept (empty: cancel) · Esc cancel"));

    /// <summary>A message, scrolled within the terminal's height when it is taller (see <see cref="MessageScreen"/>).</summary>
    public static IRenderable Message(string title, IRenderable body, MessageScroll scroll) => new MessageScreen(title, body, scroll);

    /// <summary>
    /// A line cut at the terminal's width with an ellipsis instead of wrapped: a menu item that wrapped (a long alias or
    /// model) pushed the screen past the terminal's height, and the title scrolled away when the terminal was narrowed.
    /// </summary>
    public static IRenderable OneLine(Markup line) => new CroppedLine(line);

    public static IRenderable Title(string title) => new Rule($"[bold]Keyway[/] · {Markup.Escape(title)}").LeftJustified();

    public static Markup Hint(string text) => new Markup($"[grey]{Markup.Escape(text)}[/]");

    /// <summary>An admin API time (ISO-8601) as "yyyy-MM-dd HH:mm:ss" UTC, or "-".</summary>
    public static string Time(JsonNode? value) => Time(value?.ToString());

    /// <summary>As above, or "HH:mm:ss" without <paramref name="withDate"/>.</summary>
    public static string Time(string? iso, bool withDate = true) => Format(iso, withDate ? "yyyy-MM-dd HH:mm:ss" : "HH:mm:ss");

    /// <summary>An admin API time as its UTC day, "yyyy-MM-dd", or "-".</summary>
    public static string Day(JsonNode? value) => Format(value?.ToString(), "yyyy-MM-dd");

    private static string Format(string? iso, string format) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture)
            : "-";

    /// <summary>
    /// <paramref name="text"/> in exactly <paramref name="cells"/> terminal cells: cut with "…" when wider (a wide character
    /// takes two), padded with spaces when narrower, so the columns after it line up.
    /// </summary>
    public static string Fit(string text, int cells)
    {
        if (new Segment(text).CellCount() > cells)
        {
            var cut = new StringBuilder();
            foreach (var rune in text.EnumerateRunes())
            {
                if (new Segment($"{cut}{rune}…").CellCount() > cells)
                {
                    break;
                }
                cut.Append(rune.ToString());
            }
            text = $"{cut}…";
        }
        return text + new string(' ', Math.Max(cells - new Segment(text).CellCount(), 0));
    }

    /// <summary>Name/value lines, names dimmed.</summary>
    public static IRenderable Facts(params (string Name, string Value)[] facts)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in facts)
        {
            grid.AddRow(new Markup($"[grey]{Markup.Escape(name)}[/]"), new Text(value));
        }
        return grid;
    }
}
