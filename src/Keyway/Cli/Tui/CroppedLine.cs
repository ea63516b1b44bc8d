using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>One line of markup that never wraps: past the width it is drawn to, it is cut and ends with "…".</summary>
public sealed class CroppedLine(Markup line) : Renderable
{
    protected override Measurement Measure(RenderOptions options, int maxWidth) => ((IRenderable)line).Measure(options, maxWidth);

    protected override IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
    {
        var segments = ((IRenderable)line).Render(options, int.MaxValue).Where(segment => !segment.IsLineBreak).ToList();
        if (segments.Sum(segment => segment.CellCount()) <= maxWidth)
        {
            return segments;
        }
        var cropped = new List<Segment>();
        var room = maxWidth - 1;
        foreach (var segment in segments)
        {
            var text = segment.Text;
            while (text.Length > 0 && new Segment(text).CellCount() > room)
            {
                text = text[..^1];
            }
            cropped.Add(new Segment(text, segment.Style));
            room -= new Segment(text).CellCount();
            if (text.Length < segment.Text.Length)
            {
                cropped.Add(new Segment("…", segment.Style));
                break;
            }
        }
        return cropped;
    }
}
