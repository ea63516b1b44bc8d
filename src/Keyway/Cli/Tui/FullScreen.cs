using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>
/// A screen drawn from the terminal's top row, its last line left without the line break <c>Rows</c> ends it with: a line
/// break on the terminal's bottom row scrolls the whole screen up a line, and a screen as tall as the terminal (a menu
/// of 26 routes in 80×24) lost its title off the top.
/// </summary>
public sealed class FullScreen(IRenderable screen) : Renderable
{
    protected override Measurement Measure(RenderOptions options, int maxWidth) => screen.Measure(options, maxWidth);

    protected override IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
    {
        var segments = screen.Render(options, maxWidth).ToList();
        return segments is [.., { IsLineBreak: true }] ? segments.GetRange(0, segments.Count - 1) : segments;
    }
}
