using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>
/// A message in the terminal's size: the title, the body wrapped at the terminal's width, and the hint. A body taller
/// than the height leaves (a long error, a command's output) shows a window of its lines from <paramref name="scroll"/>,
/// between two lines counting those cut off, where drawing it whole pushed the title off the top and the rest out of reach.
/// </summary>
public sealed class MessageScreen(string title, IRenderable body, MessageScroll scroll) : Renderable
{
    /// <summary>The title, the empty line before the hint and the hint itself.</summary>
    private const int FrameLines = 3;

    protected override IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
    {
        var lines = Segment.SplitLines(body.Render(options, maxWidth));
        // A window keeps at least one line between its two counting lines, however short the terminal.
        var room = Math.Max(options.ConsoleSize.Height - FrameLines, 3);
        var cut = lines.Count > room;
        var (first, count) = scroll.Window(lines.Count, cut ? room - 2 : room);
        var rows = new List<IRenderable> { TuiView.Title(title) };
        if (cut)
        {
            rows.Add(TuiView.More("↑", first));
        }
        rows.Add(new LineRange(lines.GetRange(first, count)));
        if (cut)
        {
            rows.Add(TuiView.More("↓", lines.Count - first - count));
        }
        rows.Add(Text.Empty);
        rows.Add(TuiView.OneLine(TuiView.Hint(cut ? "up/down PgUp/PgDn Home/End scroll · other keys: back · q quit" : "any key: back · q quit")));
        return ((IRenderable)new FullScreen(new Rows(rows))).Render(options, maxWidth);
    }

    /// <summary>Lines already laid out at the width they are drawn in.</summary>
    private sealed class LineRange(List<SegmentLine> lines) : Renderable
    {
        protected override IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (i > 0)
                {
                    yield return Segment.LineBreak;
                }
                foreach (var segment in lines[i])
                {
                    yield return segment;
                }
            }
        }
    }
}
