using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyway.Cli.Tui;

/// <summary>
/// The first of a screen's <paramref name="count"/> layouts, fullest first and each no taller than the one before, that
/// is no taller than the terminal it is drawn in (the last one when none is), chosen at each drawing: a live screen
/// gives up its least important rows for the terminal's height, where Spectre's live display would cut off whatever
/// lines are past it. The layouts are searched by halves, so a drawing renders a few of them, not each.
/// </summary>
public sealed class HeightFit(int count, Func<int, IRenderable> layout) : Renderable
{
    protected override Measurement Measure(RenderOptions options, int maxWidth) => layout(Fit(options, maxWidth).Index).Measure(options, maxWidth);

    protected override IEnumerable<Segment> Render(RenderOptions options, int maxWidth) => Fit(options, maxWidth).Segments;

    private (int Index, List<Segment> Segments) Fit(RenderOptions options, int maxWidth)
    {
        var drawn = new Dictionary<int, List<Segment>>();
        bool Fits(int index)
        {
            drawn[index] = layout(index).Render(options, maxWidth).ToList();
            return Segment.SplitLines(drawn[index]).Count <= options.ConsoleSize.Height;
        }
        var (low, high) = (0, count - 1);
        while (low < high)
        {
            var middle = (low + high) / 2;
            (low, high) = Fits(middle) ? (low, middle) : (middle + 1, high);
        }
        return (low, drawn.TryGetValue(low, out var segments) ? segments : layout(low).Render(options, maxWidth).ToList());
    }
}
